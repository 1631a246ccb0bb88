// The report conversation end to end against the real server: a Romanian resident on
// WhatsApp reports bags beside a container step by step (numbers, a location pin, a
// photo reference, a description, updates), gets a report number, the case exists in
// the right area with the right team, "stare N" answers the status in Romanian, and an
// inspector's `buurtlijn cases move` sends the Romanian update to the fake provider.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "cli_runner.hpp"
#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "provider_payloads.hpp"
#include "server_process.hpp"

extern char** environ;

using namespace buurtlijn::testing;
namespace json = boost::json;

namespace {

// A WhatsApp webhook with one message of the documented shape.
std::string whatsapp_message(const std::string& from, json::object message) {
  message["from"] = from;
  message["timestamp"] = "1764281234";
  json::object metadata{{"display_phone_number", "15550783881"},
                        {"phone_number_id", provider::kPhoneNumberId}};
  json::object value{
      {"messaging_product", "whatsapp"},
      {"metadata", metadata},
      {"contacts",
       json::array{json::object{{"profile", json::object{{"name", "Ioana"}}}, {"wa_id", from}}}},
      {"messages", json::array{message}}};
  json::object change{{"field", "messages"}, {"value", value}};
  json::object entry{{"id", "102290129340398"}, {"changes", json::array{change}}};
  return json::serialize(
      json::object{{"object", "whatsapp_business_account"}, {"entry", json::array{entry}}});
}

std::string whatsapp_location(const std::string& from, const std::string& id, double latitude,
                              double longitude) {
  return whatsapp_message(
      from,
      json::object{{"id", id},
                   {"type", "location"},
                   {"location", json::object{{"latitude", latitude}, {"longitude", longitude}}}});
}

std::string whatsapp_image(const std::string& from, const std::string& id,
                           const std::string& media_id) {
  return whatsapp_message(from, json::object{{"id", id},
                                             {"type", "image"},
                                             {"image", json::object{{"id", media_id},
                                                                    {"mime_type", "image/jpeg"},
                                                                    {"sha256", "3f1c"}}}});
}

long long rows(const TempDir& dir, const std::string& sql) {
  return count_rows(dir.path(), sql);
}

// Posts a webhook and waits until the fake provider has `expected` requests in all.
void send(const ServerProcess& server, FakeProvider& fake, const std::string& body,
          std::size_t expected) {
  const HttpResult result = provider::post_whatsapp(server.port(), body);
  REQUIRE(result.status == 200);
  REQUIRE(fake.wait_for_requests(expected, std::chrono::seconds(20)));
}

}  // namespace

TEST_CASE("report conversation: a Romanian resident reports bags beside a container on WhatsApp") {
  TempDir dir;
  FakeProvider fake;
  const std::string data_dir = dir.path().string();
  const auto areas = import_illustrative_areas(dir, data_dir);
  REQUIRE_MESSAGE(areas.exit_code == 0, areas.err);

  // The waste team forwards new cases to another system by Open311: a case made in the
  // chat is forwarded like one made through the API or the CLI.
  FakeProvider remote;
  remote.set_responder([](const RecordedRequest&, int) {
    return FakeAnswer{
        201, R"([{"service_request_id":"SIG-77","service_notice":""}])", {}, {}, false};
  });
  // The photo's provider id is kept as sent: fetching it is report_photo_test's part.
  const auto config = dir.path() / "forward.yaml";
  std::ofstream(config) << "media:\n  enabled: false\n"
                        << "cases:\n  public_base_url: https://buurtlijn.example\n"
                        << "  forwarders:\n    - team: waste_team\n      open311:\n"
                        << "        endpoint: " << remote.base_url() << "/open311/v2\n"
                        << "        service_code: afval\n";
  auto environment = provider::channel_environment(fake.base_url());
  environment["BUURTLIJN_FORWARD_WASTE_TEAM_OPEN311_API_KEY"] = "remote-k3y";
  ServerProcess server(dir.path(), {"--config", config.string()}, environment);
  const std::string from = "40712345678";
  std::size_t sent = 0;
  send(server, fake, provider::whatsapp_text(from, "wamid.r.1", "Bună ziua"), sent += 1);
  // 4 = "Report a problem" in the main menu: its text, then the category question.
  send(server, fake, provider::whatsapp_text(from, "wamid.r.2", "4"), sent += 2);
  CHECK(fake.requests()[sent - 1].text.find("Ce doriți să semnalați?") != std::string::npos);
  send(server, fake, provider::whatsapp_text(from, "wamid.r.3", "1"), sent += 1);  // bags
  CHECK(fake.requests()[sent - 1].text.find("Ce container este?") != std::string::npos);
  send(server, fake, provider::whatsapp_text(from, "wamid.r.4", "1"), sent += 1);  // residual
  CHECK(fake.requests()[sent - 1].text.find("Unde este?") != std::string::npos);
  send(server, fake, whatsapp_location(from, "wamid.r.5", 52.2401, 6.1601), sent += 1);
  CHECK(fake.requests()[sent - 1].text.find("Aveți o fotografie?") != std::string::npos);
  send(server, fake, whatsapp_image(from, "wamid.r.6", "1479537139650973"), sent += 1);
  send(server, fake, provider::whatsapp_text(from, "wamid.r.7", "saci de trei zile"), sent += 1);
  CHECK(fake.requests()[sent - 1].text.find("rămâneți anonim") != std::string::npos);
  const std::string last_answer = provider::whatsapp_text(from, "wamid.r.8", "1");  // updates
  send(server, fake, last_answer, sent += 1);

  const std::string confirmation = fake.requests()[sent - 1].text;
  std::smatch match;
  REQUIRE_MESSAGE(std::regex_search(confirmation, match, std::regex("numărul ([0-9]+)")),
                  confirmation);
  const std::string number = match[1].str();
  CHECK(confirmation.find("stare " + number) != std::string::npos);
  CHECK(rows(dir,
             "SELECT count(*) FROM reports r JOIN cases c ON c.id = r.case_id WHERE "
             "r.public_number = " +
                 number +
                 " AND r.category = 'waste_beside_container' AND r.language = 'ro' AND "
                 "r.photo_ref = '1479537139650973' AND r.wants_updates = 1 AND r.channel = "
                 "'whatsapp' AND r.description = 'saci de trei zile' AND c.wijk_name = "
                 "'Rivierenwijk' AND c.team = 'waste_team' AND r.attributes LIKE "
                 "'%residual%'") == 1);

  // WhatsApp redelivers the last answer (its 200 got lost): acknowledged again, but neither
  // a second report nor a second confirmation.
  REQUIRE(provider::post_whatsapp(server.port(), last_answer).status == 200);
  // The case went to the waste team's other system, once.
  REQUIRE(remote.wait_for_requests(1, std::chrono::seconds(20)));
  CHECK(remote.requests()[0].target == "/open311/v2/requests.json");
  CHECK(remote.requests()[0].body.find("service_code=afval") != std::string::npos);
  CHECK(remote.requests()[0].body.find(from) == std::string::npos);

  // "stare N" answers the public status in Romanian.
  send(server, fake, provider::whatsapp_text(from, "wamid.r.9", "stare " + number), sent += 1);
  CHECK(fake.requests()[sent - 1].text ==
        "Sesizarea " + number + ": am primit sesizarea dumneavoastră (melding). Ne ocupăm de ea.");
  CHECK(rows(dir, "SELECT count(*) FROM reports") == 1);
  CHECK(rows(dir, "SELECT count(*) FROM case_forwards WHERE remote_id = 'SIG-77'") == 1);

  const long long case_id =
      rows(dir, "SELECT case_id FROM reports WHERE public_number = " + number);
  const std::string id = std::to_string(case_id);
  const auto triaged = run_buurtlijn(dir, {"cases", "move", "--data-dir", data_dir, "--case", id,
                                           "--to", "triaged", "--by", "A. Jansen"});
  REQUIRE_MESSAGE(triaged.exit_code == 0, triaged.err);
  const auto planned =
      run_buurtlijn(dir, {"cases", "move", "--data-dir", data_dir, "--case", id, "--to",
                          "action_planned", "--by", "A. Jansen", "--action", "clean_up"});
  REQUIRE_MESSAGE(planned.exit_code == 0, planned.err);
  REQUIRE(fake.wait_for_requests(sent + 1, std::chrono::seconds(20)));
  CHECK(fake.requests()[sent].to == from);
  CHECK(fake.requests()[sent].text ==
        "Sesizarea " + number +
            ": primăria (gemeente) a planificat o acțiune pentru sesizarea dumneavoastră.");
  CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("report conversation: the web chat with buttons and a typed postcode + house number") {
  TempDir dir;
  const std::string data_dir = dir.path().string();
  const auto areas = import_illustrative_areas(dir, data_dir);
  REQUIRE_MESSAGE(areas.exit_code == 0, areas.err);
  ServerProcess server(dir.path());
  ChatClient chat(server.port());
  chat.send_json({{"type", "hello"}, {"token", ""}, {"language", ""}});
  chat.read_until("ready");
  chat.send_json({{"type", "language"}, {"id", "w-1"}, {"language", "en"}});
  chat.read_until("message");

  const auto choose = [&chat](const std::string& id, const std::string& choice) {
    chat.send_json({{"type", "choice"}, {"id", id}, {"choice", choice}, {"label", choice}});
    CHECK(chat.read_until("ack").at("id").as_string() == id);
    return chat.read_until("message");
  };
  const auto type = [&chat](const std::string& id, const std::string& text) {
    chat.send_json({{"type", "message"}, {"id", id}, {"text", text}});
    CHECK(chat.read_until("ack").at("id").as_string() == id);
    return chat.read_until("message");
  };
  choose("w-2", "report");  // the node's text
  const json::object categories = chat.read_until("message");
  CHECK(categories.at("buttons").as_array().size() == 7);
  const json::object location = choose("w-3", "report_noise");
  CHECK(location.at("text").as_string().find("postcode and house number") != std::string::npos);
  const json::object invalid = type("w-4", "somewhere near the park");
  CHECK(invalid.at("text").as_string().find("could not read") != std::string::npos);
  type("w-5", "7411 AB 12");
  choose("w-6", "report_skip");  // no photo
  type("w-7", "loud music every night");
  const json::object confirmation = choose("w-8", "report_anonymous");
  const std::string text(confirmation.at("text").as_string());
  std::smatch match;
  REQUIRE_MESSAGE(std::regex_search(text, match, std::regex("number ([0-9]+)")), text);
  CHECK(count_rows(dir.path(),
                   "SELECT count(*) FROM reports r JOIN cases c ON c.id = r.case_id WHERE "
                   "r.public_number = " +
                       match[1].str() +
                       " AND r.category = 'noise' AND r.postcode = '7411AB' AND r.subject_id IS "
                       "NULL AND r.wants_updates = 0 AND c.team = 'buurtmaker' AND c.wijk_code = "
                       "'WK015001'") == 1);
  const json::object status = type("w-9", "status " + match[1].str());
  CHECK(status.at("text").as_string().find(match[1].str()) != std::string::npos);
  chat.close();
  CHECK(server.stop(SIGTERM) == 0);
}
