// Structured logs: one JSON object per line on stdout, for journald or any collector.
// Callers pass an event name and fields; by rule no field ever holds message text,
// phone numbers, chat ids, tokens or pseudonyms (see docs in README, "Privacy").
// Thread-safe: lines from many threads never interleave.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

namespace buurtlijn::gateway::log {

enum class Level { debug, info, warn, error };

std::optional<Level> parse_level(std::string_view name);
void set_level(Level level);
bool enabled(Level level);

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
