// Nuisance reports and cases against the real server and the real CLI: an inspector's
// `buurtlijn cases move` makes the running server send the reporter an update in
// Romanian through the fake WhatsApp provider; the Open311 GeoReport v2 endpoints
// answer per the spec to a plain HTTP client; bad input gets a clear answer and leaves
// nothing half-written.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli_runner.hpp"
#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "server_process.hpp"

extern char** environ;

using namespace buurtlijn::testing;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr const char* kAppSecret = "wa-app-secret-cases";
constexpr const char* kApiKey = "open311-test-key-9f2c";

std::string source_dir() {
  const char* dir = std::getenv("BUURTLIJN_SOURCE_DIR");
  REQUIRE(dir != nullptr);
  return dir;
}

std::string sha256_hex(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (const unsigned char byte : digest) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

std::string signature(const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), kAppSecret, static_cast<int>(std::strlen(kAppSecret)),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kDigits[digest[i] >> 4]);
    hex.push_back(kDigits[digest[i] & 0xf]);
  }
  return hex;
}

std::string whatsapp_text(const std::string& from, const std::string& id, const std::string& text) {
  json::object message{{"from", from},
                       {"id", id},
                       {"timestamp", "1764281234"},
                       {"type", "text"},
                       {"text", json::object{{"body", text}}}};
  json::object metadata{{"display_phone_number", "15550783881"},
                        {"phone_number_id", "106540352242922"}};
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

long long rows(const TempDir& dir, const std::string& sql) {
  return count_rows(dir.path(), sql);
}

std::filesystem::path write_config(const TempDir& dir) {
  const auto path = dir.path() / "cases.yaml";
  std::ofstream file(path);
  file << "cases:\n  areas_geojson: " << source_dir()
       << "/data/areas/deventer-illustrative.geojson\n  postcodes_csv: " << source_dir()
       << "/data/areas/deventer-illustrative-postcodes.csv\n"
       << "open311:\n  api_key_sha256: [\"" << sha256_hex(kApiKey) << "\"]\n";
  return path;
}

HttpResult post_form(std::uint16_t port, const std::string& body) {
  return http_request(port, http::verb::post, "/open311/v2/requests.json", body,
                      {{"Content-Type", "application/x-www-form-urlencoded"}});
}

json::value parse(const std::string& body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  REQUIRE_MESSAGE(!ec, body);
  return value;
}

// [{"code":N,"description":"..."}] with the HTTP status N.
void check_open311_error(const HttpResult& result, unsigned status, const std::string& part) {
  CHECK(result.status == status);
  const json::value body = parse(result.body);
  REQUIRE(body.is_array());
  REQUIRE(body.as_array().size() == 1);
  CHECK(body.as_array()[0].as_object().at("code").as_int64() == status);
  CHECK_MESSAGE(
      std::string(body.as_array()[0].as_object().at("description").as_string()).find(part) !=
          std::string::npos,
      result.body);
}

}  // namespace

TEST_CASE("cases: an inspector's move sends the Romanian reporter an update on WhatsApp") {
  TempDir dir;
  FakeProvider fake;
  const auto areas = import_illustrative_areas(dir, dir.path().string());
  REQUIRE_MESSAGE(areas.exit_code == 0, areas.err);
  CHECK(areas.out.find("imported 5 wijken, 8 buurten, 8 postcodes") != std::string::npos);
  const auto bad_areas =
      run_buurtlijn(dir, {"areas", "import", "--geojson", (dir.path() / "cases.yaml").string(),
                          "--data-dir", dir.path().string()});
  CHECK(bad_areas.exit_code == 1);

  ServerProcess server(dir.path(), {},
                       {{"BUURTLIJN_WHATSAPP_APP_SECRET", kAppSecret},
                        {"BUURTLIJN_WHATSAPP_VERIFY_TOKEN", "verify"},
                        {"BUURTLIJN_WHATSAPP_TOKEN", "wa-token"},
                        {"BUURTLIJN_WHATSAPP_PHONE_NUMBER_ID", "106540352242922"},
                        {"BUURTLIJN_WHATSAPP_API_BASE", fake.base_url()}});
  // The resident writes in Romanian first: a conversation in Romanian exists.
  const std::string hello = whatsapp_text("40712345678", "wamid.cases.1", "Bună ziua");
  const HttpResult inbound = http_request(
      server.port(), http::verb::post, "/webhooks/whatsapp", hello,
      {{"X-Hub-Signature-256", signature(hello)}, {"Content-Type", "application/json"}});
  REQUIRE(inbound.status == 200);
  REQUIRE(fake.wait_for_requests(1, std::chrono::seconds(20)));
  const std::size_t before = fake.requests().size();

  const std::string data_dir = dir.path().string();
  const auto report = run_buurtlijn(
      dir,
      {"cases", "report", "--data-dir", data_dir, "--category", "waste_beside_container", "--lat",
       "52.2401", "--lon", "6.1601", "--language", "ro", "--reporter-channel", "whatsapp",
       "--reporter-address", "40712345678", "--updates", "--description", "saci lângă container"});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  const json::object created = parse(report.out).as_object();
  const std::int64_t number = created.at("report").as_int64();
  const std::int64_t case_id = created.at("case").as_int64();
  CHECK(created.at("area").as_object().at("wijk").as_string() == "Rivierenwijk");
  CHECK(created.at("team").as_string() == "waste_team");
  CHECK(number != case_id);
  const std::string id = std::to_string(case_id);

  const auto triaged = run_buurtlijn(dir, {"cases", "move", "--data-dir", data_dir, "--case", id,
                                           "--to", "triaged", "--by", "A. Jansen"});
  REQUIRE_MESSAGE(triaged.exit_code == 0, triaged.err);
  CHECK(parse(triaged.out).as_object().at("reporter_updates").as_int64() == 0);

  // An invalid transition is refused with the reason; nothing is written.
  const long long events = rows(dir, "SELECT count(*) FROM case_events");
  const long long outbox = rows(dir, "SELECT count(*) FROM outbox");
  const auto invalid = run_buurtlijn(dir, {"cases", "move", "--data-dir", data_dir, "--case", id,
                                           "--to", "official_report", "--by", "A. Jansen"});
  CHECK(invalid.exit_code == 1);
  CHECK(invalid.err.find(
            "cannot go from triaged to official_report (allowed: action_planned, closed)") !=
        std::string::npos);
  const auto no_action = run_buurtlijn(dir, {"cases", "move", "--data-dir", data_dir, "--case", id,
                                             "--to", "action_planned", "--by", "A. Jansen"});
  CHECK(no_action.exit_code == 1);
  CHECK(no_action.err.find("needs a action") != std::string::npos);
  CHECK(rows(dir, "SELECT count(*) FROM case_events") == events);
  CHECK(rows(dir, "SELECT count(*) FROM outbox") == outbox);

  const auto planned = run_buurtlijn(
      dir, {"cases", "move", "--data-dir", data_dir, "--case", id, "--to", "action_planned", "--by",
            "A. Jansen", "--action", "clean_up", "--note", "ploeg dinsdag"});
  REQUIRE_MESSAGE(planned.exit_code == 0, planned.err);
  CHECK(parse(planned.out).as_object().at("reporter_updates").as_int64() == 1);
  REQUIRE(fake.wait_for_requests(before + 1, std::chrono::seconds(20)));
  const RecordedRequest update = fake.requests()[before];
  CHECK(update.to == "40712345678");
  CHECK(update.text == "Sesizarea " + std::to_string(number) +
                           ": primăria (gemeente) a planificat o acțiune pentru sesizarea "
                           "dumneavoastră.");

  const auto closed =
      run_buurtlijn(dir, {"cases", "move", "--data-dir", data_dir, "--case", id, "--to", "closed",
                          "--by", "A. Jansen", "--outcome", "resolved"});
  REQUIRE_MESSAGE(closed.exit_code == 0, closed.err);
  REQUIRE(fake.wait_for_requests(before + 2, std::chrono::seconds(20)));
  CHECK(fake.requests()[before + 1].text ==
        "Sesizarea " + std::to_string(number) +
            ": sesizarea dumneavoastră a fost închisă. Vă mulțumim pentru ajutor.");

  const auto status = run_buurtlijn(
      dir, {"cases", "status", std::to_string(number), "--language", "ro", "--data-dir", data_dir});
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("a fost închisă") != std::string::npos);
  const auto stats =
      run_buurtlijn(dir, {"cases", "stats", "--format", "csv", "--data-dir", data_dir});
  CHECK(stats.exit_code == 0);
  CHECK(stats.out.find("cases_closed,,,,1\n") != std::string::npos);
  CHECK(stats.out.find("saci") == std::string::npos);  // counts only
  CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("cases: Open311 GeoReport v2 endpoints answer per the spec, without personal data") {
  TempDir dir;
  ServerProcess server(dir.path(), {"--config", write_config(dir).string()});
  const std::uint16_t port = server.port();

  const HttpResult services = http_get(port, "/open311/v2/services.json?lang=ro");
  REQUIRE(services.status == 200);
  CHECK(services.headers.at("Content-Type").find("application/json") == 0);
  const json::array list = parse(services.body).as_array();
  CHECK(list.size() == 7);
  for (const json::value& item : list) {
    for (const char* field :
         {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}) {
      CHECK_MESSAGE(item.as_object().contains(field), field);
    }
  }
  CHECK(list[0].as_object().at("service_name").as_string() == "Deșeuri lângă container");
  const HttpResult definition = http_get(port, "/open311/v2/services/overcrowded_housing.json");
  REQUIRE(definition.status == 200);
  const json::object def = parse(definition.body).as_object();
  CHECK(def.at("service_code").as_string() == "overcrowded_housing");
  CHECK(def.at("attributes").as_array().size() == 4);
  check_open311_error(http_get(port, "/open311/v2/services/fireworks.json"), 404,
                      "no such service_code");
  check_open311_error(http_get(port, "/open311/v2/services/noise.xml"), 404,
                      "no such service_code");

  // Refusals: nothing is stored.
  const std::string place = "service_code=waste_beside_container&lat=52.2401&long=6.1601";
  check_open311_error(post_form(port, "api_key=forged-key&" + place), 403, "api_key is not valid");
  check_open311_error(post_form(port, place), 403, "api_key is required");
  check_open311_error(post_form(port, std::string("api_key=") + kApiKey + "&lat=52.24&long=6.16"),
                      400, "service_code is required");
  check_open311_error(
      post_form(port, std::string("api_key=") + kApiKey + "&service_code=waste_beside_container"),
      400, "a location is required");
  check_open311_error(post_form(port, std::string("api_key=") + kApiKey +
                                          "&service_code=waste_beside_container&lat=north&long=6"),
                      400, "lat and long");
  check_open311_error(post_form(port, std::string("api_key=") + kApiKey +
                                          "&service_code=fireworks&lat=52.24&long=6.16"),
                      404, "not a service here");
  check_open311_error(post_form(port, std::string("api_key=") + kApiKey + "&" + place +
                                          "&attribute[fraction]=gold"),
                      400, "has no value 'gold'");
  check_open311_error(post_form(port, std::string("api_key=") + kApiKey + "&" + place + "&lang=xx"),
                      400, "lang must be");
  check_open311_error(
      post_form(port, std::string("api_key=") + kApiKey +
                          "&service_code=noise&address_string=Damstraat+1&postal_code=12345"),
      400, "not a Dutch postcode");
  CHECK(rows(dir, "SELECT count(*) FROM reports") == 0);
  CHECK(rows(dir, "SELECT count(*) FROM cases") == 0);

  // A report in the Rivierenwijk, in Romanian.
  const HttpResult created = post_form(
      port,
      std::string("api_key=") + kApiKey + "&" + place +
          "&lang=ro&attribute%5Bfraction%5D=glass&description=Saci+l%C3%A2ng%C4%83+container");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const json::object answer = parse(created.body).as_array()[0].as_object();
  const std::string id(answer.at("service_request_id").as_string());
  CHECK(std::string(answer.at("service_notice").as_string()).find("Sesizarea " + id) == 0);
  CHECK(
      rows(dir,
           "SELECT count(*) FROM cases WHERE wijk_name = 'Rivierenwijk' AND team = 'waste_team'") ==
      1);
  CHECK(rows(dir, "SELECT count(*) FROM reports WHERE attributes = '{\"fraction\":\"glass\"}'") ==
        1);

  // Outside the municipality, and an address whose postcode is not in the table: kept,
  // area unknown.
  REQUIRE(post_form(port, std::string("api_key=") + kApiKey +
                              "&service_code=bulky_waste&lat=52.3728&long=4.8936")
              .status == 201);
  REQUIRE(post_form(port, std::string("api_key=") + kApiKey +
                              "&service_code=noise&address_string=Damstraat+1%2C+1012+AB+Amsterdam")
              .status == 201);
  CHECK(rows(dir, "SELECT count(*) FROM cases WHERE wijk_code = 'unknown'") == 2);
  // A known postcode inside the address string finds its area.
  REQUIRE(
      post_form(port,
                std::string("api_key=") + kApiKey +
                    "&service_code=overcrowded_housing&address_string=Ceintuurbaan+12%2C+7425+AB"
                    "&description=Jan+0612345678+verhuurt+kamers&email=jan%40example.nl")
          .status == 201);
  CHECK(rows(dir,
             "SELECT count(*) FROM cases WHERE buurt_name = 'Rivierenwijk-Zuid' AND path = "
             "'housing'") == 1);

  const HttpResult all = http_get(port, "/open311/v2/requests.json");
  REQUIRE(all.status == 200);
  const json::array requests = parse(all.body).as_array();
  CHECK(requests.size() == 4);
  for (const char* secret : {"0612345678", "jan@example.nl", "Ceintuurbaan", "Saci"}) {
    CHECK_MESSAGE(all.body.find(secret) == std::string::npos, secret);
  }
  for (const json::value& item : requests) {
    for (const char* field :
         {"service_request_id", "status", "status_notes", "service_name", "service_code",
          "agency_responsible", "requested_datetime", "updated_datetime", "lang"}) {
      CHECK_MESSAGE(item.as_object().contains(field), field);
    }
    CHECK(item.as_object().at("status").as_string() == "open");
  }
  const HttpResult one = http_get(port, "/open311/v2/requests/" + id + ".json?lang=ro");
  REQUIRE(one.status == 200);
  const json::object request = parse(one.body).as_array()[0].as_object();
  CHECK(request.at("service_request_id").as_string() == id);
  CHECK(request.at("lang").as_string() == "ro");
  CHECK(request.at("lat").as_double() == doctest::Approx(52.2401));
  CHECK(request.at("long").as_double() == doctest::Approx(6.1601));
  CHECK(request.at("service_code").as_string() == "waste_beside_container");
  CHECK(request.at("requested_datetime").as_string().size() == 20);  // 2026-11-28T01:47:15Z

  CHECK(parse(http_get(port, "/open311/v2/requests.json?service_code=noise").body)
            .as_array()
            .size() == 1);
  CHECK(parse(http_get(port, "/open311/v2/requests.json?status=closed").body).as_array().empty());
  CHECK(parse(http_get(port, "/open311/v2/requests.json?end_date=2020-01-01T00:00:00Z").body)
            .as_array()
            .empty());
  CHECK(parse(http_get(port, "/open311/v2/requests.json?service_request_id=" + id + ",1").body)
            .as_array()
            .size() == 1);
  check_open311_error(http_get(port, "/open311/v2/requests.json?start_date=yesterday"), 400,
                      "W3C date-time");
  check_open311_error(http_get(port, "/open311/v2/requests.json?status=lost"), 400,
                      "status must be open or closed");
  check_open311_error(http_get(port, "/open311/v2/requests/99999999.json"), 404,
                      "no such service_request_id");
  check_open311_error(http_get(port, "/open311/v2/requests/abc.json"), 404,
                      "no such service_request_id");
  CHECK(http_request(port, http::verb::delete_, "/open311/v2/requests.json").status == 405);
  CHECK(server.stop(SIGTERM) == 0);
}
