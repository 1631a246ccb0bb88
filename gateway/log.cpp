// JSON-lines logger; see log.hpp.
#include "gateway/log.hpp"

#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <mutex>

namespace buurtlijn::gateway::log {
namespace {
std::atomic<Level> current_level{Level::info};
std::atomic<std::uint64_t> failures{0};
// Guarded by output_mutex: the file sink and the day its file belongs to.
std::mutex output_mutex;
std::string directory_path;
std::FILE* day_file = nullptr;
std::string day_of_file;

constexpr std::string_view kPrefix = "buurtlijn-";
constexpr std::string_view kSuffix = ".log";

std::string_view name_of(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

std::string utc_day(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
  return text;
}

// The file for today, opened (appending) when the day changed. Under output_mutex.
std::FILE* file_for(const std::string& day) {
  if (day_file != nullptr && day == day_of_file) return day_file;
  if (day_file != nullptr) std::fclose(day_file);
  std::error_code ignored;
  std::filesystem::create_directories(directory_path, ignored);
  const std::string path = directory_path + "/" + std::string(kPrefix) + day + std::string(kSuffix);
  day_file = std::fopen(path.c_str(), "ae");
  day_of_file = day;
  return day_file;
}

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + length, sizeof text - length, ".%03dZ", static_cast<int>(millis));
  return text;
}
}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  for (Level level : {Level::debug, Level::info, Level::warn, Level::error}) {
    if (name_of(level) == name) return level;
  }
  return std::nullopt;
}

void set_level(Level level) {
  current_level.store(level);
}
bool enabled(Level level) {
  return level >= current_level.load();
}

void set_directory(std::string directory) {
  const std::lock_guard lock(output_mutex);
  if (day_file != nullptr) std::fclose(day_file);
  day_file = nullptr;
  day_of_file.clear();
  directory_path = std::move(directory);
}

std::uint64_t write_failures() {
  return failures.load();
}

std::size_t prune_files(const std::string& directory, unsigned keep_days,
                        std::chrono::system_clock::time_point today) {
  // File names sort by date, so comparing the name with the oldest kept one suffices.
  const std::string oldest_kept = std::string(kPrefix) +
                                  utc_day(today - std::chrono::hours(24) * keep_days) +
                                  std::string(kSuffix);
  std::size_t removed = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != oldest_kept.size() || name.rfind(kPrefix, 0) != 0 ||
        !name.ends_with(kSuffix) || name >= oldest_kept) {
      continue;
    }
    std::error_code remove_error;
    if (std::filesystem::remove(entry.path(), remove_error)) ++removed;
  }
  return removed;
}

void write(Level level, std::string_view event, boost::json::object fields) {
  if (!enabled(level)) return;
  boost::json::object line;
  line.reserve(fields.size() + 3);
  line["ts"] = utc_timestamp();
  line["level"] = name_of(level);
  line["event"] = event;
  for (auto& field : fields) line[field.key()] = std::move(field.value());
  std::string text = boost::json::serialize(line);
  text.push_back('\n');
  const std::lock_guard lock(output_mutex);
  std::FILE* out =
      directory_path.empty() ? stdout : file_for(utc_day(std::chrono::system_clock::now()));
  if (out == nullptr || std::fwrite(text.data(), 1, text.size(), out) != text.size() ||
      std::fflush(out) != 0) {
    failures.fetch_add(1);
  }
}

}  // namespace buurtlijn::gateway::log
