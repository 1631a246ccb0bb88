// Dependency faults (issue 7): the providers and Kannel misbehave, the server does not.
// A fake Telegram that hangs, resets the connection, answers garbage or no HTTP at all,
// or answers slowly; Kannel's smsbox stopped and started again. Each reply reaches the
// provider exactly once with a success answer, the outbox retries within its rules, and
// meanwhile health and the web chat keep answering.
#include <doctest/doctest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "kannel_process.hpp"
#include "provider_payloads.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

std::filesystem::path fast_retry_config(const TempDir& dir) {
  const auto path = dir.path() / "faults.yaml";
  std::ofstream(path) << "outbox:\n  request_timeout_ms: 1000\n  initial_backoff_ms: 200\n"
                      << "  max_backoff_ms: 600\n  max_attempts: 20\n";
  return path;
}

// Health answers, and a web chat conversation gets its answer, in well under the time a
// single hanging provider call takes.
void server_stays_responsive(const ServerProcess& server) {
  const auto started = std::chrono::steady_clock::now();
  CHECK(http_get(server.port(), "/healthz").status == 200);
  ChatClient chat(server.port());
  chat.send_json({{"type", "hello"}, {"token", ""}, {"language", "nl"}});
  chat.read_until("ready", 5s);
  chat.send_json({{"type", "message"}, {"id", "f-1"}, {"text", "menu"}});
  CHECK(chat.read_until("ack", 5s).at("id").as_string() == "f-1");
  CHECK_FALSE(chat.read_until("message", 5s).at("text").as_string().empty());
  chat.close();
  CHECK(std::chrono::steady_clock::now() - started < 3s);
}

long long rows(const TempDir& dir, const std::string& sql) {
  return count_rows(dir.path(), sql);
}

}  // namespace

TEST_CASE("a provider that hangs, resets, answers garbage or slowly: each reply arrives once") {
  TempDir dir;
  FakeProvider fake;
  // Each chat's first call meets one fault; later calls succeed. The test counts the
  // calls it answered with success, per chat.
  constexpr std::int64_t kHang = 9001, kReset = 9002, kGarbage = 9003, kNotHttp = 9004,
                         kSlow = 9005, kServerError = 9006;
  std::mutex mutex;
  std::map<std::string, int> successes;
  fake.set_responder([&](const RecordedRequest& request, int repeat) {
    FakeAnswer answer;
    if (repeat == 0) {
      const std::string& chat = request.to;
      if (chat == std::to_string(kHang)) answer.hang = true;
      if (chat == std::to_string(kReset)) answer.reset = true;
      if (chat == std::to_string(kGarbage)) answer.body = "<html><h1>502 Bad Gateway</h1></html>";
      if (chat == std::to_string(kNotHttp)) answer.raw = "SSH-2.0-OpenSSH_9.2\r\n";
      if (chat == std::to_string(kSlow)) answer.delay = 400ms;  // within the 1 s timeout
      if (chat == std::to_string(kServerError)) {
        answer.status = 502;
        answer.body = "upstream";
      }
    }
    const bool success = !answer.hang && !answer.reset && answer.raw.empty() &&
                         answer.status == 200 && answer.body.empty();
    if (success) {
      const std::lock_guard lock(mutex);
      ++successes[request.to];
    }
    return answer;
  });
  ServerProcess server(dir.path(), {"--config", fast_retry_config(dir).string()},
                       provider::channel_environment(fake.base_url()));
  REQUIRE(server.wait_for_log("outbox.started", 10s));

  const std::int64_t chats[] = {kHang, kReset, kGarbage, kNotHttp, kSlow, kServerError};
  std::int64_t update_id = 500'000;
  for (const std::int64_t chat : chats) {
    const auto sent = provider::post_telegram(
        server.port(),
        provider::telegram_text(++update_id, chat, "Hoe schrijf ik me in bij de BRP?"));
    REQUIRE(sent.status == 200);  // acknowledged once committed, whatever the provider does
  }
  // While the calls fail and are retried, the server answers others at once.
  server_stays_responsive(server);

  // Every reply is sent in the end; the outbox holds nothing else.
  bool drained = false;
  for (int i = 0; i < 300 && !drained; ++i) {
    drained = rows(dir,
                   "SELECT count(*) FROM outbox WHERE channel = 'telegram' AND status <> "
                   "'sent'") == 0 &&
              rows(dir, "SELECT count(*) FROM outbox WHERE channel = 'telegram'") >= 6;
    if (!drained) std::this_thread::sleep_for(100ms);
  }
  REQUIRE(drained);
  std::this_thread::sleep_for(1500ms);  // a duplicate would be on its way by now
  const long long replies = rows(dir, "SELECT count(*) FROM outbox WHERE channel = 'telegram'");
  {
    const std::lock_guard lock(mutex);
    long long total = 0;
    for (const std::int64_t chat : chats) {
      const std::string id = std::to_string(chat);
      CAPTURE(id);
      CHECK(successes[id] >= 1);
      total += successes[id];
    }
    CHECK(total == replies);  // one success per reply: none lost, none twice
  }
  // The faulty first calls were retried, not given up: every failing chat took >= 2 tries.
  CHECK(rows(dir, "SELECT count(*) FROM outbox WHERE channel = 'telegram' AND attempts >= 2") >= 5);
  CHECK(rows(dir, "SELECT count(*) FROM messages WHERE direction = 'in'") >= 6);
  server_stays_responsive(server);
  CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("Kannel's smsbox stopped and started again: the SMS reply waits, then goes once") {
  TempDir dir;
  const std::uint16_t port = free_port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  KannelProcess kannel(dir.path(), base, "sms-secret");
  const auto data_dir = dir.path() / "data";
  std::filesystem::create_directories(data_dir);
  ServerProcess server(data_dir,
                       {"--listen", "127.0.0.1:" + std::to_string(port), "--config",
                        fast_retry_config(dir).string()},
                       {{"BUURTLIJN_KANNEL_SENDSMS_URL", kannel.sendsms_url()},
                        {"BUURTLIJN_KANNEL_USERNAME", kannel.username()},
                        {"BUURTLIJN_KANNEL_PASSWORD", kannel.password()},
                        {"BUURTLIJN_KANNEL_SENDER", "1400"},
                        {"BUURTLIJN_KANNEL_SECRET", "sms-secret"}});
  kannel.inject("+31612345678", "Hoe krijg ik een milieupas?");
  REQUIRE(kannel.wait_for_received(1, 30s));
  std::this_thread::sleep_for(1s);  // the other parts of a long reply
  const std::size_t before = kannel.received().size();

  kannel.stop_smsbox();
  // An SMS that smsbox had passed on just before it stopped: the reply has nowhere to go.
  const auto inbound =
      http_get(port,
               "/webhooks/kannel?secret=sms-secret&from=%2B31687654321&to=1400&text="
               "Waar+kan+ik+grofvuil+kwijt%3F&coding=0&charset=UTF-8&ts=1764281234&id=kannel-77");
  REQUIRE(inbound.status == 200);
  bool retrying = false;
  for (int i = 0; i < 100 && !retrying; ++i) {
    retrying = count_rows(data_dir,
                          "SELECT count(*) FROM outbox WHERE channel = 'kannel' AND status = "
                          "'queued' AND attempts >= 2") >= 1;
    if (!retrying) std::this_thread::sleep_for(100ms);
  }
  CHECK(retrying);  // refused connections are retried, not failed
  server_stays_responsive(server);

  kannel.start_smsbox();
  REQUIRE(kannel.wait_for_received(before + 1, 30s));
  std::this_thread::sleep_for(2s);  // a second copy would be here by now
  // Each part of the reply once ("<receiver> <sender> ..." lines; a concatenated reply's
  // parts differ in their UDH sequence number, so a repeated part is a repeated line).
  std::vector<std::string> to_second;
  for (const std::string& line : kannel.received()) {
    if (line.rfind("1400 +31687654321 ", 0) == 0 || line.rfind("+31687654321 ", 0) == 0) {
      to_second.push_back(line);
    }
  }
  CAPTURE(kannel.received().size());
  CHECK_FALSE(to_second.empty());
  CHECK(std::set<std::string>(to_second.begin(), to_second.end()).size() == to_second.size());
  CHECK(count_rows(data_dir,
                   "SELECT count(*) FROM outbox WHERE channel = 'kannel' AND status NOT IN "
                   "('sent', 'delivered')") == 0);
  CHECK(server.stop(SIGTERM) == 0);
}
