// The retention job inside `buurtlijn serve`: with texts kept for 0 days, a message and
// its reply are gone from the database soon after the reply went out, while the
// conversation (a pseudonym and a language, no text) stays; /metrics counts it.
#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "provider_payloads.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
using namespace std::chrono_literals;

TEST_CASE("retention runs inside serve: texts past their period leave the database") {
  TempDir dir;
  FakeProvider fake;
  {
    std::ofstream config(dir.path() / "retention.yaml");
    config << "retention:\n  message_days: 0\n  interval_ms: 200\n";
  }
  ServerProcess server(dir.path(), {"--config", (dir.path() / "retention.yaml").string()},
                       provider::channel_environment(fake.base_url()));
  const std::string body = provider::telegram_text(4401, 66001, "Cum mă înregistrez la gemeente?");
  REQUIRE(provider::post_telegram(server.port(), body).status == 200);
  REQUIRE(fake.wait_for_requests(1, 10s));

  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = count_rows(dir.path(), "SELECT count(*) FROM messages") == 0 &&
           count_rows(dir.path(), "SELECT count(*) FROM outbox") == 0;
    if (!gone) std::this_thread::sleep_for(100ms);
  }
  CHECK(gone);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM conversations WHERE language = 'ro'") == 1);
  const std::string metrics = http_get(server.port(), "/metrics").body;
  CHECK(metrics.find("buurtlijn_retention_deleted_total{kind=\"messages\"} 2") !=
        std::string::npos);
  CHECK(server.stop(SIGTERM) == 0);
}
