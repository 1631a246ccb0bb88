// `buurtlijn gdpr find|export|erase` against a database seeded by the real server (a
// Romanian resident writes on WhatsApp through the fake provider) and the real
// `buurtlijn cases report`: find gives the server's pseudonym, export holds the
// messages, address and report, erase leaves only the report's anonymised facts, and
// both are in the audit log without message text or phone number.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <fstream>
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
using CliResult = CommandResult;
const auto run_cli = run_buurtlijn;

std::string source_dir() {
  const char* dir = std::getenv("BUURTLIJN_SOURCE_DIR");
  REQUIRE(dir != nullptr);
  return dir;
}

}  // namespace

TEST_CASE("gdpr cli: find, export and erase a WhatsApp resident; the report facts stay") {
  TempDir dir;
  FakeProvider fake;
  const std::string data_dir = dir.path().string();
  const auto areas =
      run_cli(dir, {"areas", "import", "--geojson",
                    source_dir() + "/data/areas/deventer-illustrative.geojson", "--postcodes",
                    source_dir() + "/data/areas/deventer-illustrative-postcodes.csv", "--data-dir",
                    data_dir});
  REQUIRE_MESSAGE(areas.exit_code == 0, areas.err);

  const std::string phone = "40712999001";
  const std::string secret_text = "Bună ziua, unde este primăria";
  {
    ServerProcess server(dir.path(), {}, provider::channel_environment(fake.base_url()));
    const auto inbound = provider::post_whatsapp(
        server.port(), provider::whatsapp_text(phone, "wamid.gdpr.1", secret_text));
    REQUIRE(inbound.status == 200);
    REQUIRE(fake.wait_for_requests(1, std::chrono::seconds(20)));
    // A second resident, who must stay untouched.
    const auto other = provider::post_whatsapp(
        server.port(), provider::whatsapp_text("31612999002", "wamid.gdpr.2", "Hallo"));
    REQUIRE(other.status == 200);
    REQUIRE(fake.wait_for_requests(2, std::chrono::seconds(20)));
  }
  const auto report =
      run_cli(dir, {"cases", "report", "--data-dir", data_dir, "--category",
                    "waste_beside_container", "--lat", "52.2401", "--lon", "6.1601", "--language",
                    "ro", "--reporter-channel", "whatsapp", "--reporter-address", phone,
                    "--updates", "--description", "saci lângă container"});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);

  const auto found = run_cli(
      dir, {"gdpr", "find", "--channel", "whatsapp", "--address", phone, "--data-dir", data_dir});
  REQUIRE_MESSAGE(found.exit_code == 0, found.err);
  const std::string pseudonym = found.out.substr(0, found.out.find('\n'));
  REQUIRE(pseudonym.size() == 32);
  CHECK(count_rows(dir.path(),
                   "SELECT count(*) FROM subjects WHERE pseudonym = '" + pseudonym + "'") == 1);

  const auto exported =
      run_cli(dir, {"gdpr", "export", "--subject", pseudonym, "--data-dir", data_dir});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  const json::object document = json::parse(exported.out).as_object();
  CHECK(document.at("subject").as_string() == pseudonym);
  CHECK(document.at("found").as_bool());
  const json::object& data = document.at("data").as_object();
  CHECK(data.at("contact_addresses").as_array().at(0).as_object().at("address").as_string() ==
        phone);
  CHECK(data.at("conversations").as_array().at(0).as_object().at("language").as_string() == "ro");
  bool has_text = false;
  for (const auto& message : data.at("messages").as_array()) {
    has_text = has_text || message.as_object().at("text").as_string() == secret_text;
  }
  CHECK(has_text);
  CHECK(data.at("outbox").as_array().size() >= 1);
  REQUIRE(data.at("reports").as_array().size() == 1);
  CHECK(data.at("reports").as_array()[0].as_object().at("description").as_string() ==
        "saci lângă container");
  CHECK(exported.out.find("31612999002") == std::string::npos);

  const auto erased =
      run_cli(dir, {"gdpr", "erase", "--subject", pseudonym, "--data-dir", data_dir});
  REQUIRE_MESSAGE(erased.exit_code == 0, erased.err);
  const json::object counts = json::parse(erased.out).as_object().at("erased").as_object();
  CHECK(counts.at("messages").as_int64() >= 2);
  CHECK(counts.at("contact_addresses").as_int64() == 1);
  CHECK(counts.at("reports_anonymised").as_int64() == 1);

  const auto& where = dir.path();
  CHECK(count_rows(where, "SELECT count(*) FROM subjects WHERE pseudonym = '" + pseudonym + "'") ==
        0);
  CHECK(count_rows(where,
                   "SELECT count(*) FROM contact_addresses WHERE address = '" + phone + "'") == 0);
  CHECK(count_rows(where, "SELECT count(*) FROM messages WHERE text = '" + secret_text + "'") == 0);
  CHECK(count_rows(where,
                   "SELECT count(*) FROM reports WHERE subject_id IS NULL AND "
                   "description = '' AND category = 'waste_beside_container'") == 1);
  // The other resident keeps everything.
  CHECK(count_rows(where, "SELECT count(*) FROM subjects") == 1);
  CHECK(count_rows(where,
                   "SELECT count(*) FROM contact_addresses WHERE address = "
                   "'31612999002'") == 1);
  CHECK(count_rows(where,
                   "SELECT count(*) FROM audit_log WHERE user_name = 'cli' AND "
                   "action IN ('gdpr.export', 'gdpr.erase') AND object = 'subject " +
                       pseudonym + "'") == 2);
  CHECK(count_rows(where,
                   "SELECT count(*) FROM audit_log WHERE detail LIKE '%4071%' OR "
                   "detail LIKE '%primăria%' OR object LIKE '%4071%'") == 0);

  const auto again =
      run_cli(dir, {"gdpr", "export", "--subject", pseudonym, "--data-dir", data_dir});
  CHECK(again.exit_code == 1);
  CHECK(json::parse(again.out).as_object().at("found").as_bool() == false);
  CHECK(run_cli(dir, {"gdpr", "erase", "--data-dir", data_dir}).exit_code == 2);
}
