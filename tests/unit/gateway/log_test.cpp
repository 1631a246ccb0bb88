#include "gateway/log.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace logs = buurtlijn::gateway::log;

namespace {
std::filesystem::path fresh_directory() {
  std::random_device random;
  auto path =
      std::filesystem::temp_directory_path() / ("buurtlijn-log-test-" + std::to_string(random()));
  std::filesystem::remove_all(path);
  return path;
}
}  // namespace

TEST_CASE("logs go to one file per UTC day in the configured directory") {
  const auto directory = fresh_directory();
  logs::set_directory(directory.string());
  logs::info("test.event", {{"count", 3}});
  logs::set_directory("");  // back to stdout for the other tests
  std::size_t files = 0;
  std::string contents;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    ++files;
    CHECK(entry.path().filename().string().rfind("buurtlijn-20", 0) == 0);
    std::ifstream file(entry.path());
    std::stringstream text;
    text << file.rdbuf();
    contents = text.str();
  }
  CHECK(files == 1);
  CHECK(contents.find("\"event\":\"test.event\"") != std::string::npos);
  CHECK(contents.find("\"count\":3") != std::string::npos);
  std::filesystem::remove_all(directory);
}

TEST_CASE("daily log files older than the retention period are deleted, others stay") {
  const auto directory = fresh_directory();
  std::filesystem::create_directories(directory);
  for (const char* name :
       {"buurtlijn-2026-11-01.log", "buurtlijn-2026-11-13.log", "buurtlijn-2026-11-14.log",
        "buurtlijn-2026-11-27.log", "other-2026-01-01.log", "buurtlijn-notes.txt"}) {
    std::ofstream(directory / name) << "x\n";
  }
  // 2026-11-28 12:00 UTC; 14 days kept: 2026-11-14 and later.
  const auto today = std::chrono::system_clock::time_point(std::chrono::seconds(1795867200));
  CHECK(logs::prune_files(directory.string(), 14, today) == 2);
  CHECK_FALSE(std::filesystem::exists(directory / "buurtlijn-2026-11-01.log"));
  CHECK_FALSE(std::filesystem::exists(directory / "buurtlijn-2026-11-13.log"));
  CHECK(std::filesystem::exists(directory / "buurtlijn-2026-11-14.log"));
  CHECK(std::filesystem::exists(directory / "buurtlijn-2026-11-27.log"));
  CHECK(std::filesystem::exists(directory / "other-2026-01-01.log"));
  CHECK(std::filesystem::exists(directory / "buurtlijn-notes.txt"));
  std::filesystem::remove_all(directory);
}
