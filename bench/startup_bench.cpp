// Start-up time: from exec of `buurtlijn serve` to the first `/readyz` answered 200, with
// all 16 catalogs (built in) and a database of --database-mb megabytes seeded once into
// --work (kept between runs: seeding 1 GB takes about a minute). Each run starts a new
// process on the same database; the figure is the median over --runs starts.
//
//   buurtlijn_startup_bench --binary build/release/buurtlijn --work build/bench/startup
//                           [--database-mb 1024] [--runs 9]
#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/seed_database.hpp"
#include "clients.hpp"
#include "server_process.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::string argument(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

bool ready(std::uint16_t port) {
  try {
    return buurtlijn::testing::http_get(port, "/readyz").status == 200;
  } catch (const std::exception&) {
    return false;  // not accepting yet
  }
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const std::string binary = argument(argc, argv, "--binary", "");
  const fs::path work = argument(argc, argv, "--work", "build/bench/startup");
  const long long megabytes = std::stoll(argument(argc, argv, "--database-mb", "1024"));
  const int runs = std::stoi(argument(argc, argv, "--runs", "9"));
  if (binary.empty()) {
    std::fprintf(stderr, "usage: %s --binary PATH [--work DIR] [--database-mb N] [--runs N]\n",
                 argv[0]);
    return 2;
  }
  setenv("BUURTLIJN_BIN", fs::absolute(binary).c_str(), 1);
  fs::create_directories(work);
  const fs::path database = work / "buurtlijn.db";
  const auto target = megabytes * 1024 * 1024;
  const fs::path marker = work / ("seeded-" + std::to_string(megabytes) + "mb");
  if (!fs::exists(marker) || !fs::exists(database)) {
    const auto begin = Clock::now();
    if (auto error = buurtlijn::bench::seed_database(
            buurtlijn::bench::make_plan(database.string(), 100000, target));
        !error.empty()) {
      std::fprintf(stderr, "seeding failed: %s\n", error.c_str());
      return 1;
    }
    std::FILE* file = std::fopen(marker.c_str(), "w");
    if (file != nullptr) std::fclose(file);
    std::printf("seeded %.0f MB in %.1f s\n", static_cast<double>(fs::file_size(database)) / 1e6,
                std::chrono::duration<double>(Clock::now() - begin).count());
  }
  std::printf("database %.0f MB\n", static_cast<double>(fs::file_size(database)) / 1e6);

  std::vector<double> millis;
  for (int run = 0; run < runs; ++run) {
    const auto begin = Clock::now();
    buurtlijn::testing::ServerProcess server(work);
    while (!ready(server.port())) std::this_thread::sleep_for(std::chrono::microseconds(500));
    millis.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
    server.stop(SIGTERM);
    std::printf("run %d: %.1f ms\n", run + 1, millis.back());
  }
  std::sort(millis.begin(), millis.end());
  std::printf("RESULT median_ms=%.1f min_ms=%.1f max_ms=%.1f runs=%d\n", millis[millis.size() / 2],
              millis.front(), millis.back(), runs);
  return 0;
}
