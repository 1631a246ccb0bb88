// ConversationState as the compact JSON the gateway stores between turns:
// {"v":1,"language":"ro","second_language":"","node":"brp","misses":0}. Anything else
// (garbage, another version, a field of the wrong type or out of range) reads as a
// fresh state. Thread-safe: no shared state.
#include <boost/json.hpp>
#include <optional>
#include <string_view>
#include <utility>

#include "dialogs/engine.hpp"

namespace buurtlijn::dialogs {
namespace {

constexpr std::int64_t kFormatVersion = 1;
constexpr std::size_t kMaxSerializedBytes = 8192;
constexpr std::int64_t kMaxMisses = 1000;

bool is_code_or_empty(std::string_view text) {
  return text.empty() ||
         (text.size() == 2 && text[0] >= 'a' && text[0] <= 'z' && text[1] >= 'a' && text[1] <= 'z');
}

bool is_node_id_or_empty(std::string_view text) {
  if (text.size() > 64) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

const boost::json::string* string_field(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  return value ? value->if_string() : nullptr;
}

boost::json::object serialize_report(const ReportForm& form) {
  boost::json::object object;
  object["step"] = form.step;
  object["category"] = form.category;
  object["fraction"] = form.fraction;
  object["details"] = form.details;
  if (form.has_location) {
    object["lat"] = form.latitude;
    object["lon"] = form.longitude;
  }
  object["address"] = form.address;
  object["photo"] = form.photo_ref;
  object["description"] = form.description;
  return object;
}

// The form, or nullopt when the object is broken (the whole state then starts over).
std::optional<ReportForm> parse_report(const boost::json::object& object) {
  ReportForm form;
  const std::pair<std::string_view, std::string*> ids[] = {
      {"step", &form.step}, {"category", &form.category}, {"fraction", &form.fraction}};
  for (const auto& [key, field] : ids) {
    const boost::json::string* value = string_field(object, key);
    if (value == nullptr || !is_node_id_or_empty(*value)) return std::nullopt;
    *field = std::string(*value);
  }
  const std::pair<std::string_view, std::string*> texts[] = {{"details", &form.details},
                                                             {"address", &form.address},
                                                             {"photo", &form.photo_ref},
                                                             {"description", &form.description}};
  for (const auto& [key, field] : texts) {
    const boost::json::string* value = string_field(object, key);
    if (value == nullptr) return std::nullopt;
    *field = std::string(*value);
  }
  const boost::json::value* lat = object.if_contains("lat");
  const boost::json::value* lon = object.if_contains("lon");
  if ((lat == nullptr) != (lon == nullptr)) return std::nullopt;
  if (lat != nullptr) {
    if (!lat->is_number() || !lon->is_number()) return std::nullopt;
    form.has_location = true;
    form.latitude = lat->to_number<double>();
    form.longitude = lon->to_number<double>();
  }
  return form;
}

}  // namespace

std::string ConversationState::serialize() const {
  boost::json::object object;
  object["v"] = kFormatVersion;
  object["language"] = language;
  object["second_language"] = second_language;
  object["node"] = node;
  object["misses"] = misses;
  if (!report.step.empty()) object["report"] = serialize_report(report);
  return boost::json::serialize(object);
}

ConversationState ConversationState::parse(std::string_view serialized) {
  if (serialized.size() > kMaxSerializedBytes) return {};
  try {
    boost::json::error_code error;
    const boost::json::value value = boost::json::parse(serialized, error);
    if (error) return {};
    const boost::json::object* object = value.if_object();
    if (object == nullptr) return {};
    const boost::json::value* version = object->if_contains("v");
    if (version == nullptr || !version->is_int64() || version->get_int64() != kFormatVersion) {
      return {};
    }
    const boost::json::string* language = string_field(*object, "language");
    const boost::json::string* second_language = string_field(*object, "second_language");
    const boost::json::string* node = string_field(*object, "node");
    const boost::json::value* misses = object->if_contains("misses");
    if (language == nullptr || second_language == nullptr || node == nullptr || misses == nullptr ||
        !misses->is_int64()) {
      return {};
    }
    if (!is_code_or_empty(*language) || !is_code_or_empty(*second_language) ||
        !is_node_id_or_empty(*node) || misses->get_int64() < 0 ||
        misses->get_int64() > kMaxMisses) {
      return {};
    }
    ConversationState state;
    state.language = std::string(*language);
    state.second_language = std::string(*second_language);
    state.node = std::string(*node);
    state.misses = static_cast<int>(misses->get_int64());
    if (const boost::json::value* report = object->if_contains("report")) {
      const boost::json::object* report_object = report->if_object();
      if (report_object == nullptr) return {};
      std::optional<ReportForm> form = parse_report(*report_object);
      if (!form) return {};
      state.report = std::move(*form);
    }
    return state;
  } catch (const std::exception&) {
    return {};  // out of memory while parsing: start over rather than fail the turn
  }
}

}  // namespace buurtlijn::dialogs
