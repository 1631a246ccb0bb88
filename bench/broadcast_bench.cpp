// Broadcast benchmark, two figures:
//
// 1. Queue: `buurtlijn serve` on a database seeded with --subscribers active subscribers
//    (bench/seed_database.cpp: Telegram, WhatsApp inside its window and SMS, 16
//    languages), no channel credentials (so nothing is sent and only queuing is timed).
//    POST /api/v1/notifications for the whole segment (area Rivierenwijk) --runs times;
//    each answer (202) comes after the notification and its outbox items are committed.
//    Reports the median time from request to 202, and checks the outbox rows.
// 2. Paced send rate: a fresh database with enough Telegram subscribers for --seconds
//    of sending at --rate, `buurtlijn serve` with outbox.telegram_per_second = --rate
//    and Telegram pointed at a local sink (tests/integration/fake_provider: answers ok,
//    records the arrival time of every sendMessage). One notification to all; the rate
//    is counted at the sink over --seconds, starting 2 s after the first send (past the
//    token bucket's initial burst). Reports sends/s and the min/max of the per-second
//    counts.
//
//   buurtlijn_broadcast_bench --binary build/release/gateway/buurtlijn --work build/bench/broadcast
//                             [--subscribers 50000] [--runs 5] [--rate 80] [--seconds 60]
//                             [--only queue|rate]
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/seed_database.hpp"
#include "clients.hpp"
#include "fake_provider.hpp"
#include "server_process.hpp"

namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

std::string argument(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

// Runs `command` and returns the first line of its output ("" on failure).
std::string first_line(const std::string& command) {
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  char buffer[512] = {};
  std::string line;
  if (std::fgets(buffer, sizeof buffer, pipe) != nullptr) line = buffer;
  pclose(pipe);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

std::int64_t count_rows(const fs::path& database, const char* sql) {
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW) {
      n = sqlite3_column_int64(statement, 0);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return n;
}

// A data directory with the seeded database, an API key and the configuration.
struct Prepared {
  fs::path dir;
  std::string key;
};

Prepared prepare(const fs::path& dir, const std::string& binary, std::int64_t subscribers,
                 const std::vector<std::string>& channels, const std::string& extra_config) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  if (auto error = buurtlijn::bench::seed_subscribers((dir / "buurtlijn.db").string(), subscribers,
                                                      channels);
      !error.empty()) {
    std::fprintf(stderr, "seeding failed: %s\n", error.c_str());
    std::exit(1);
  }
  std::ofstream(dir / "bench.yaml") << "log:\n  requests: false\n" << extra_config;
  Prepared prepared{dir, first_line(binary + " api-key create --name bench --data-dir " +
                                    dir.string() + " 2>/dev/null")};
  if (prepared.key.rfind("blk_", 0) != 0) {
    std::fprintf(stderr, "api-key create failed\n");
    std::exit(1);
  }
  return prepared;
}

buurtlijn::testing::HttpResult post_notification(std::uint16_t port, const std::string& key) {
  const std::string body = R"({"template":"office_hours","params":{"day":"dinsdag","hours":"9-12",)"
                           R"("place":"Keizerstraat 2"},"segment":{"area":"Rivierenwijk"}})";
  return buurtlijn::testing::http_request(
      port, http::verb::post, "/api/v1/notifications", body,
      {{"Authorization", "Bearer " + key}, {"Content-Type", "application/json"}});
}

int queue_benchmark(const std::string& binary, const fs::path& work, std::int64_t subscribers,
                    int runs) {
  std::printf("queue: %lld subscribers (Telegram, WhatsApp, SMS; 16 languages), %d runs\n",
              static_cast<long long>(subscribers), runs);
  const Prepared prepared =
      prepare(work / "queue", binary, subscribers, {"telegram", "whatsapp", "kannel"}, "");
  buurtlijn::testing::ServerProcess server(prepared.dir,
                                           {"--config", (prepared.dir / "bench.yaml").string()});
  std::vector<double> millis;
  for (int run = 0; run < runs; ++run) {
    const auto begin = Clock::now();
    const auto answer = post_notification(server.port(), prepared.key);
    millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
    if (answer.status != 202) {
      std::fprintf(stderr, "run %d: status %u: %s\n", run + 1, answer.status, answer.body.c_str());
      return 1;
    }
    std::printf("run %d: %.0f ms  %s\n", run + 1, millis.back(), answer.body.c_str());
  }
  server.stop(SIGTERM);
  // SMS texts longer than one part are several items for one recipient.
  const std::int64_t notified = count_rows(
      prepared.dir / "buurtlijn.db", "SELECT coalesce(sum(recipients), 0) FROM notifications");
  std::printf("stored: %lld recipients over %d notifications\n", static_cast<long long>(notified),
              runs);
  std::sort(millis.begin(), millis.end());
  const bool complete = notified == subscribers * runs;
  std::printf(
      "RESULT queue_median_ms=%.0f queue_min_ms=%.0f queue_max_ms=%.0f recipients=%lld "
      "complete=%s\n",
      millis[millis.size() / 2], millis.front(), millis.back(), static_cast<long long>(subscribers),
      complete ? "yes" : "no");
  return complete ? 0 : 1;
}

int rate_benchmark(const std::string& binary, const fs::path& work, double rate, int seconds) {
  const int skip = 2;  // seconds after the first send: past the token bucket's burst
  const auto subscribers = static_cast<std::int64_t>(rate * (seconds + skip + 3));
  std::printf("rate: %lld Telegram subscribers, limit %.0f/s, counted over %d s at the sink\n",
              static_cast<long long>(subscribers), rate, seconds);
  buurtlijn::testing::FakeProvider sink;
  char config[256];
  std::snprintf(config, sizeof config,
                "outbox:\n  telegram_per_second: %.3f\n  telegram_per_chat_per_second: 1\n", rate);
  const Prepared prepared = prepare(work / "rate", binary, subscribers, {"telegram"}, config);
  buurtlijn::testing::ServerProcess server(prepared.dir,
                                           {"--config", (prepared.dir / "bench.yaml").string()},
                                           {{"BUURTLIJN_TELEGRAM_TOKEN", "bench:token"},
                                            {"BUURTLIJN_TELEGRAM_SECRET", "bench-secret"},
                                            {"BUURTLIJN_TELEGRAM_API_BASE", sink.base_url()}});
  const auto answer = post_notification(server.port(), prepared.key);
  if (answer.status != 202) {
    std::fprintf(stderr, "status %u: %s\n", answer.status, answer.body.c_str());
    return 1;
  }
  if (!sink.wait_for_requests(1, std::chrono::seconds(30))) {
    std::fprintf(stderr, "nothing arrived at the sink\n");
    return 1;
  }
  const auto first = sink.requests().front().at;
  const auto from = first + std::chrono::seconds(skip);
  const auto until = from + std::chrono::seconds(seconds);
  std::this_thread::sleep_until(until + std::chrono::milliseconds(200));
  const auto requests = sink.requests();
  server.stop(SIGTERM);
  std::vector<std::int64_t> per_second(static_cast<std::size_t>(seconds), 0);
  std::int64_t counted = 0;
  for (const auto& request : requests) {
    if (request.at < from || request.at >= until) continue;
    ++counted;
    ++per_second[static_cast<std::size_t>(
        std::chrono::duration_cast<std::chrono::seconds>(request.at - from).count())];
  }
  const double measured = static_cast<double>(counted) / seconds;
  const auto [low, high] = std::minmax_element(per_second.begin(), per_second.end());
  std::printf("sent %zu in all; %lld in the %d s window\n", requests.size(),
              static_cast<long long>(counted), seconds);
  std::printf(
      "RESULT rate_per_s=%.1f limit_per_s=%.0f deviation_pct=%.1f second_min=%lld "
      "second_max=%lld\n",
      measured, rate, 100.0 * (measured - rate) / rate, static_cast<long long>(*low),
      static_cast<long long>(*high));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string binary = argument(argc, argv, "--binary", "");
  const fs::path work = argument(argc, argv, "--work", "build/bench/broadcast");
  const std::int64_t subscribers = std::stoll(argument(argc, argv, "--subscribers", "50000"));
  const int runs = std::stoi(argument(argc, argv, "--runs", "5"));
  const double rate = std::stod(argument(argc, argv, "--rate", "80"));
  const int seconds = std::stoi(argument(argc, argv, "--seconds", "60"));
  const std::string only = argument(argc, argv, "--only", "");
  if (binary.empty() || runs < 1 || seconds < 1 || rate <= 0) {
    std::fprintf(stderr,
                 "usage: %s --binary PATH [--work DIR] [--subscribers N] [--runs N] [--rate R]"
                 " [--seconds S] [--only queue|rate]\n",
                 argv[0]);
    return 2;
  }
  const std::string absolute = fs::absolute(binary).string();
  setenv("BUURTLIJN_BIN", absolute.c_str(), 1);
  fs::create_directories(work);
  int status = 0;
  if (only.empty() || only == "queue") status |= queue_benchmark(absolute, work, subscribers, runs);
  if (only.empty() || only == "rate") status |= rate_benchmark(absolute, work, rate, seconds);
  return status;
}
