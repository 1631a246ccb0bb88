// JSON-lines logger; see log.hpp.
#include "gateway/log.hpp"

#include <atomic>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace buurtlijn::gateway::log {
namespace {
std::atomic<Level> current_level{Level::info};
std::mutex output_mutex;

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
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

}  // namespace buurtlijn::gateway::log
