// The per-subject limit against the real server (gateway/subject_limiter.hpp): one
// Telegram chat sends 100 messages in a burst; every webhook is acknowledged with 200
// (the provider must not retry), at most the burst plus what the rate refills while the
// burst lasts is stored and answered (one reply per stored message), the rest is counted
// in /metrics; another chat in the middle of the flood is answered as usual.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "provider_payloads.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;

namespace {

constexpr int kPerMinute = 6;
constexpr int kBurst = 5;

std::size_t requests_to(const FakeProvider& fake, const std::string& chat) {
  std::size_t count = 0;
  for (const RecordedRequest& request : fake.requests()) {
    if (request.to == chat && request.target.find("sendMessage") != std::string::npos) ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("subject limit: a flood from one Telegram chat is acknowledged, mostly dropped") {
  TempDir dir;
  FakeProvider fake;
  const auto config = dir.path() / "limits.yaml";
  {
    std::ofstream out(config);
    out << "server:\n  per_subject_per_minute: " << kPerMinute
        << "\n  per_subject_burst: " << kBurst << "\n";
  }
  ServerProcess server(dir.path(), {"--config", config.string()},
                       provider::channel_environment(fake.base_url()));
  const std::int64_t flooder = 6100000001;
  const std::int64_t neighbour = 6100000002;

  const auto started = std::chrono::steady_clock::now();
  int acknowledged = 0;
  for (int i = 0; i < 100; ++i) {
    const auto result = provider::post_telegram(
        server.port(), provider::telegram_text(300000 + i, flooder, "flood " + std::to_string(i)));
    acknowledged += result.status == 200 ? 1 : 0;
    if (i == 50) {  // the neighbour writes in the middle of it
      REQUIRE(provider::post_telegram(server.port(),
                                      provider::telegram_text(400000, neighbour, "Bună ziua"))
                  .status == 200);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(acknowledged == 100);

  const long long stored = count_rows(
      dir.path(), "SELECT count(*) FROM messages WHERE direction = 'in' AND text LIKE 'flood %'");
  const long long allowed = kBurst + static_cast<long long>(std::ceil(seconds * kPerMinute / 60.0));
  MESSAGE("burst of 100 took " << seconds << " s; stored " << stored << ", allowed " << allowed);
  CHECK(stored >= kBurst);
  CHECK(stored <= allowed);

  // The neighbour is answered; the flooder gets one reply per stored message, no more
  // (Telegram's pacing sends them about one a second).
  REQUIRE(fake.wait_for_requests(static_cast<std::size_t>(stored) + 1, std::chrono::seconds(30)));
  for (int i = 0;
       i < 100 && requests_to(fake, std::to_string(flooder)) < static_cast<std::size_t>(stored);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(requests_to(fake, std::to_string(neighbour)) == 1);
  CHECK(requests_to(fake, std::to_string(flooder)) == static_cast<std::size_t>(stored));
  CHECK(count_rows(dir.path(),
                   "SELECT count(*) FROM messages WHERE direction = 'in' AND text = "
                   "'Bună ziua'") == 1);

  const std::string metrics = http_get(server.port(), "/metrics").body;
  CHECK(metrics.find("buurtlijn_inbound_refused_total{channel=\"telegram\",reason=\"subject_rate_"
                     "limited\"} " +
                     std::to_string(100 - stored)) != std::string::npos);
  CHECK(server.stop(SIGTERM) == 0);
}
