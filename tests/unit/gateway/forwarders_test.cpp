// Forwards of new cases on a real SQLite store: queued in the same write as the case
// (never for a report that joins an open case), the reporter's contact reaching an item
// only when the team's configuration says so, rendered by the worker's functions into
// the SMTP and Open311 calls, and the remote id kept with the case when the item is sent.
#include "gateway/forwarders.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "cases/case_service.hpp"
#include "connectors/open311/open311.hpp"
#include "gateway/config.hpp"
#include "tests/unit/store/test_support.hpp"

namespace {

using namespace buurtlijn;
using store::testing::query_int;
using store::testing::TempDir;
using store::testing::wait_for;

std::string forward_read(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

constexpr std::int64_t kAt = 1'795'780'800'000;  // 2026-11-27 12:00 UTC

struct ForwardFixture {
  TempDir dir;
  std::unique_ptr<store::Store> db;
  cases::AreaMap areas = [] {
    auto map = cases::AreaMap::from_geojson(forward_read(
        std::string(BUURTLIJN_SOURCE_DIR) + "/data/areas/deventer-illustrative.geojson"));
    REQUIRE(map);
    return std::move(*map);
  }();
  gateway::Config config;
  std::mt19937_64 random{7};

  explicit ForwardFixture(bool include_contact) {
    auto parsed = gateway::parse_config(
        std::string("cases:\n  public_base_url: https://buurtlijn.example\n  forwarders:\n"
                    "    - team: waste_team\n      email: {to: [afval@deventer.example], from: "
                    "b@deventer.example, smtp_url: 'smtp://127.0.0.1:1', include_contact: ") +
        (include_contact ? "true" : "false") +
        "}\n      open311: {endpoint: 'http://127.0.0.1:1/open311/v2', service_code: afval}\n");
    REQUIRE(parsed);
    config = std::move(*parsed);
    config.forwarding.forwarders[0].open311->api_key = "k";
    auto opened = store::open_sqlite_store(store::testing::options_for(dir));
    REQUIRE(opened);
    db = std::move(*opened);
  }

  store::ReportCreated report(const std::string& category) {
    cases::ReportInput input;
    input.category = category;
    input.location = cases::GeoPoint{52.2401, 6.1601};
    input.subject_pseudonym = "pseudo-1";
    input.contact_address = "31612345678";
    input.channel = "whatsapp";
    input.wants_updates = true;
    input.source = "cli";
    input.description = "zakken";
    input.attributes_json = R"({"fraction":"glass"})";
    input.at_ms = kAt;
    auto planned = cases::plan_report(input, areas, config.cases, db->cases(), random);
    REQUIRE(planned);
    gateway::attach_forwards(config.forwarding, planned->write);
    auto created = wait_for<store::ReportCreated>(
        [&](auto done) { db->cases().create_report(planned->write, done); });
    REQUIRE(created);
    return *created;
  }

  std::vector<store::ClaimedOutboxItem> claim(const std::string& channel) {
    REQUIRE(wait_for<std::int64_t>([&](auto done) { db->recover_inflight_outbox({}, kAt, done); }));
    auto items = wait_for<std::vector<store::ClaimedOutboxItem>>(
        [&](auto done) { db->claim_outbox({channel}, 10, kAt + 1000, done); });
    REQUIRE(items);
    return *items;
  }

  std::int64_t count(std::string_view sql) { return query_int(dir.file("buurtlijn.db"), sql); }
};

}  // namespace

TEST_CASE("forwarders: queued with a new case, not with a report joining it; no contact") {
  ForwardFixture f(false);
  const store::ReportCreated first = f.report("waste_beside_container");
  CHECK(f.count("SELECT count(*) FROM outbox WHERE channel IN ('email', 'open311')") == 2);
  CHECK(f.count("SELECT count(*) FROM case_forwards WHERE case_id = " +
                std::to_string(first.case_id)) == 2);
  const store::ReportCreated second = f.report("waste_beside_container");
  CHECK(second.joined_existing);
  CHECK(f.count("SELECT count(*) FROM outbox WHERE channel IN ('email', 'open311')") == 2);
  // A team without a forwarder: nothing.
  f.report("noise");
  CHECK(f.count("SELECT count(*) FROM case_forwards") == 2);

  auto emails = f.claim("email");
  REQUIRE(emails.size() == 1);
  CHECK(emails[0].address.empty());  // the item does not even carry the reporter
  auto mail = gateway::render_email_item(f.config.forwarding, emails[0], kAt);
  REQUIRE(mail);
  CHECK(mail->url == "smtp://127.0.0.1:1");
  CHECK(mail->mail_from == "b@deventer.example");
  CHECK(mail->recipients == std::vector<std::string>{"afval@deventer.example"});
  CHECK(mail->message.find("Meldingsnummer: " + std::to_string(first.public_number) + "\r\n") !=
        std::string::npos);
  CHECK(mail->message.find("https://buurtlijn.example/admin/case?id=" +
                           std::to_string(first.case_id) + "\r\n") != std::string::npos);
  CHECK(mail->message.find("Soort melding: Afval naast container\r\n") != std::string::npos);
  // The state by its name, never the internal code.
  CHECK(mail->message.find("Status: Nieuw\r\n") != std::string::npos);
  CHECK(mail->message.find("Status: new") == std::string::npos);
  // Numbers as they are (no digit grouping: "4821", not "4.821").
  CHECK(mail->message.find("Subject: Buurtlijn: nieuwe zaak " + std::to_string(first.case_id) +
                           " (Afval naast container), melding " +
                           std::to_string(first.public_number) + "\r\n") != std::string::npos);
  CHECK(mail->message.find("31612345678") == std::string::npos);

  auto posts = f.claim("open311");
  REQUIRE(posts.size() == 1);
  auto call = gateway::render_open311_item(f.config.forwarding, posts[0]);
  REQUIRE(call);
  CHECK(call->url == "http://127.0.0.1:1/open311/v2/requests.json");
  auto form = connectors::open311::parse_form(call->body);
  REQUIRE(form);
  auto request = connectors::open311::parse_new_request(*form);
  REQUIRE(request);
  CHECK(request->api_key == "k");
  CHECK(request->service_code == "afval");
  CHECK(*request->lat == doctest::Approx(52.2401));
  CHECK(request->attributes.at("fraction") == "glass");
  CHECK(request->description.find("zakken") == 0);

  store::OutboxOutcome sent;
  sent.id = posts[0].id;
  sent.kind = store::OutboxOutcome::Kind::sent;
  sent.provider_message_id = "SIG-1";
  REQUIRE(
      wait_for<void>([&](auto done) { f.db->record_outbox_outcomes({sent}, kAt + 2000, done); }));
  CHECK(f.count("SELECT count(*) FROM case_forwards WHERE channel = 'open311' AND remote_id = "
                "'SIG-1' AND sent_at IS NOT NULL") == 1);
  CHECK(f.count("SELECT count(*) FROM case_forwards WHERE channel = 'email' AND remote_id IS "
                "NULL") == 1);
}

TEST_CASE("forwarders: the reporter's contact only when the team's configuration says so") {
  ForwardFixture f(true);
  f.report("waste_beside_container");
  auto emails = f.claim("email");
  REQUIRE(emails.size() == 1);
  CHECK(emails[0].address == "31612345678");
  auto mail = gateway::render_email_item(f.config.forwarding, emails[0], kAt);
  REQUIRE(mail);
  CHECK(mail->message.find("Contact melder: whatsapp 31612345678\r\n") != std::string::npos);
  // Configuration changed since: the contact is left out again.
  f.config.forwarding.forwarders[0].email->include_contact = false;
  auto again = gateway::render_email_item(f.config.forwarding, emails[0], kAt);
  REQUIRE(again);
  CHECK(again->message.find("31612345678") == std::string::npos);
  // A team that lost its forwarder: refused (the worker records a permanent failure).
  f.config.forwarding.forwarders.clear();
  CHECK_FALSE(gateway::render_email_item(f.config.forwarding, emails[0], kAt));
}
