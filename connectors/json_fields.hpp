// Reading fields of provider JSON without exceptions: absent or mistyped fields read as
// empty/nullopt, which the connectors treat as "not this kind of event". Shared by the
// connectors so that each one parses payloads the same way. Pure.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "connectors/channel.hpp"

namespace buurtlijn::connectors {

std::string string_at(const boost::json::object& object, std::string_view key);
const boost::json::object* object_at(const boost::json::object& object, std::string_view key);
const boost::json::array* array_at(const boost::json::object& object, std::string_view key);
std::optional<std::int64_t> integer_at(const boost::json::object& object, std::string_view key);
// Numbers, also when a provider quotes them ("52.25").
std::optional<double> number_at(const boost::json::object& object, std::string_view key);

inline tl::unexpected<Refusal> refuse(Refusal::Kind kind, std::string reason) {
  return tl::unexpected(Refusal{kind, std::move(reason)});
}

}  // namespace buurtlijn::connectors
