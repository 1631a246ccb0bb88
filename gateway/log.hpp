// Structured logs: one JSON object per line on stdout, for journald or any collector, or
// (log.directory) into one file per UTC day, buurtlijn-YYYY-MM-DD.log, which the
// retention job deletes after log.retention_days.
// Callers pass an event name and fields; by rule no field ever holds message text,
// phone numbers, chat ids, tokens or pseudonyms (see docs in README, "Privacy").
// Thread-safe: lines from many threads never interleave.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace buurtlijn::gateway::log {

enum class Level { debug, info, warn, error };

std::optional<Level> parse_level(std::string_view name);
void set_level(Level level);
bool enabled(Level level);

// Empty: stdout. Otherwise the directory of the daily files (created when missing).
void set_directory(std::string directory);
// Lines that could not be written (a full disk): counted, since they cannot be logged.
std::uint64_t write_failures();
// Deletes the daily files of `directory` older than `keep_days` days before `today`
// (the date in the file name counts, not the file's time); returns how many went.
std::size_t prune_files(const std::string& directory, unsigned keep_days,
                        std::chrono::system_clock::time_point today);

void write(Level level, std::string_view event, boost::json::object fields = {});
inline void debug(std::string_view event, boost::json::object fields = {}) {
  write(Level::debug, event, std::move(fields));
}
inline void info(std::string_view event, boost::json::object fields = {}) {
  write(Level::info, event, std::move(fields));
}
inline void warn(std::string_view event, boost::json::object fields = {}) {
  write(Level::warn, event, std::move(fields));
}
inline void error(std::string_view event, boost::json::object fields = {}) {
  write(Level::error, event, std::move(fields));
}

}  // namespace buurtlijn::gateway::log
