// Crash safety under load: unique WhatsApp and Telegram messages arrive steadily while
// the server is killed with SIGKILL at random moments and restarted on the same data
// directory. Like the providers, the load generator redelivers a webhook until it is
// answered 200, and the test plays WhatsApp's status callbacks (which echo our
// reference) for every send the fake provider receives. Afterwards it proves: every
// acknowledged message is stored, the outbox drains, and every outbox item reached the
// fake exactly once — except that a Telegram item in flight at the moment of a kill may
// arrive twice (the Bot API has no idempotency key and sends no callback; see README,
// "Channels"), which is counted and bounded by the number of kills.
#include <doctest/doctest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "provider_payloads.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kKills = 5;
constexpr const char* kLanguages[] = {
    "Cum mă înregistrez la gemeente?", "Як зареєструватися в gemeente?",
    "Where do I get a milieupas?",     "Как да се регистрирам?",
    "Waar kan ik grofvuil kwijt?",     "كيف أسجل في البلدية؟"};

// The port of the server that is up now; 0 while it is down.
std::atomic<std::uint16_t> current_port{0};

bool post_until_acknowledged(const std::function<HttpResult(std::uint16_t)>& post,
                             const std::atomic<bool>& stop) {
  while (!stop) {
    const std::uint16_t port = current_port;
    if (port != 0) {
      try {
        if (post(port).status == 200) return true;
      } catch (const std::exception&) {
        // killed mid-request or not listening yet: redeliver, as the providers do
      }
    }
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace

TEST_CASE("kill -9 at random moments under load: nothing acknowledged is lost, no reply twice") {
  TempDir dir;
  FakeProvider fake;
  const auto environment = provider::channel_environment(fake.base_url());
  {
    std::ofstream config(dir.path() / "crash.yaml");
    // The status callbacks below arrive within milliseconds; an in-flight item found at
    // restart waits this long for its callback before it is sent again.
    config << "outbox:\n  inflight_grace_ms: 3000\n  initial_backoff_ms: 100\nlog:\n"
              "  requests: false\n";
  }
  const std::vector<std::string> args{"--config", (dir.path() / "crash.yaml").string()};
  auto server = std::make_unique<ServerProcess>(dir.path(), args, environment);
  current_port = server->port();

  std::atomic<bool> stop_load{false};
  std::mutex acknowledged_mutex;
  std::set<std::string> acknowledged;  // channel message ids answered 200
  std::thread load([&] {
    for (int i = 0; !stop_load; ++i) {
      const std::string text = kLanguages[i % std::size(kLanguages)];
      std::string id;
      std::function<HttpResult(std::uint16_t)> post;
      if (i % 2 == 0) {
        id = "wamid.crash-" + std::to_string(i);
        const std::string body =
            provider::whatsapp_text(std::to_string(31610000000LL + i), id, text);
        post = [body](std::uint16_t port) { return provider::post_whatsapp(port, body); };
      } else {
        id = std::to_string(900000 + i);
        const std::string body = provider::telegram_text(900000 + i, 7000000 + i, text);
        post = [body](std::uint16_t port) { return provider::post_telegram(port, body); };
      }
      if (post_until_acknowledged(post, stop_load)) {
        std::lock_guard lock(acknowledged_mutex);
        acknowledged.insert(id);
      }
      std::this_thread::sleep_for(10ms);
    }
  });
  // WhatsApp's part: a "sent" status with our reference for every send the fake got.
  std::atomic<bool> stop_statuses{false};
  std::thread statuses([&] {
    std::size_t seen = 0;
    while (!stop_statuses) {
      const auto requests = fake.requests();
      for (; seen < requests.size(); ++seen) {
        const RecordedRequest& request = requests[seen];
        if (request.reference.empty()) continue;  // Telegram: no callbacks
        const std::string body = provider::whatsapp_status("wamid.sent-" + std::to_string(seen),
                                                           "sent", request.reference);
        post_until_acknowledged(
            [&](std::uint16_t port) { return provider::post_whatsapp(port, body); }, stop_statuses);
      }
      std::this_thread::sleep_for(20ms);
    }
  });

  std::mt19937 random(20261128);
  for (int kill = 0; kill < kKills; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(700 + random() % 1800));
    current_port = 0;
    CHECK(server->stop(SIGKILL) == 128 + SIGKILL);
    server = std::make_unique<ServerProcess>(dir.path(), args, environment);
    current_port = server->port();
  }
  std::this_thread::sleep_for(1s);
  stop_load = true;
  load.join();

  // The outbox drains: every item sent (or further), none queued, in flight or failed.
  const std::string pending =
      "SELECT count(*) FROM outbox WHERE status NOT IN ('sent', 'delivered', 'read')";
  bool drained = false;
  for (int i = 0; i < 400 && !drained; ++i) {
    drained = count_rows(dir.path(), pending) == 0;
    if (!drained) std::this_thread::sleep_for(50ms);
  }
  stop_statuses = true;
  statuses.join();
  CHECK(drained);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM outbox WHERE status IN ('failed', 'dead')") ==
        0);

  // Every acknowledged message is stored.
  std::set<std::string> stored;
  for (const auto& row : query_rows(dir.path(),
                                    "SELECT channel_message_id FROM messages WHERE direction = "
                                    "'in'")) {
    stored.insert(row[0]);
  }
  std::size_t missing = 0;
  for (const std::string& id : acknowledged) missing += stored.count(id) == 0 ? 1 : 0;
  CHECK(missing == 0);

  // Every outbox item reached the fake once: sends per address against items per address.
  std::map<std::string, long long> items;
  for (const auto& row : query_rows(dir.path(),
                                    "SELECT a.address, o.channel, count(*) FROM outbox o "
                                    "JOIN conversations c ON c.id = o.conversation_id "
                                    "JOIN contact_addresses a ON a.subject_id = c.subject_id "
                                    "GROUP BY a.address, o.channel")) {
    items[row[1] + ":" + row[0]] = std::stoll(row[2]);
  }
  std::map<std::string, long long> sends;
  for (const RecordedRequest& request : fake.requests()) {
    const bool telegram = request.target.find("/sendMessage") != std::string::npos;
    sends[(telegram ? "telegram:" : "whatsapp:") + request.to] += 1;
  }
  long long lost = 0;
  long long whatsapp_twice = 0;
  long long telegram_twice = 0;
  long long replies = 0;
  for (const auto& [key, count] : items) {
    const long long sent = sends.count(key) ? sends[key] : 0;
    replies += count;
    if (sent < count) lost += count - sent;
    if (sent > count)
      (key.rfind("telegram:", 0) == 0 ? telegram_twice : whatsapp_twice) += sent - count;
  }
  long long unexpected = 0;  // sends to an address with no outbox item
  for (const auto& [key, count] : sends) unexpected += items.count(key) ? 0 : count;
  MESSAGE("acknowledged " << acknowledged.size() << " messages across " << kKills << " kills; "
                          << replies << " outbox items; Telegram sent twice: " << telegram_twice);
  CHECK(acknowledged.size() > 100);
  CHECK(lost == 0);
  CHECK(whatsapp_twice == 0);
  CHECK(unexpected == 0);
  CHECK(telegram_twice <= kKills);
  CHECK(server->stop(SIGTERM) == 0);
}
