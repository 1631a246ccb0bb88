// See cases_config.hpp.
#include "gateway/cases_config.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>

#include "cases/workflow.hpp"
#include "gateway/config.hpp"

namespace buurtlijn::gateway {
namespace {

tl::unexpected<ConfigError> refuse(const std::string& key, std::string reason) {
  return tl::unexpected(ConfigError{key, std::move(reason)});
}

tl::expected<std::string, ConfigError> text(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) return refuse(key, "must be a single value");
  return node.as<std::string>();
}

tl::expected<long, ConfigError> whole(const YAML::Node& node, const std::string& key, long low,
                                      long high) {
  auto value = text(node, key);
  if (!value) return tl::unexpected(value.error());
  try {
    std::size_t used = 0;
    const long number = std::stol(*value, &used);
    if (used != value->size() || number < low || number > high) throw std::out_of_range("range");
    return number;
  } catch (const std::exception&) {
    return refuse(key, "must be a whole number from " + std::to_string(low) + " to " +
                           std::to_string(high) + " (got '" + *value + "')");
  }
}

bool is_sha256_hex(const std::string& text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

tl::expected<cases::RoutingRule, ConfigError> rule(const YAML::Node& node, const std::string& key) {
  if (!node.IsMap())
    return refuse(key, "must be a mapping (category, area, hours, team, target_days)");
  cases::RoutingRule rule;
  bool has_team = false;
  for (const auto& field : node) {
    const std::string name = field.first.as<std::string>();
    const std::string field_key = key + "." + name;
    if (name == "category") {
      auto value = text(field.second, field_key);
      if (!value) return tl::unexpected(value.error());
      if (*value != "*" && cases::find_category(*value) == nullptr) {
        return refuse(field_key, "unknown category '" + *value + "'");
      }
      rule.category = *value;
    } else if (name == "area") {
      auto value = text(field.second, field_key);
      if (!value) return tl::unexpected(value.error());
      rule.area = *value;
    } else if (name == "hours") {
      auto value = text(field.second, field_key);
      if (!value) return tl::unexpected(value.error());
      const auto dash = value->find('-');
      try {
        if (dash == std::string::npos) throw std::invalid_argument("no dash");
        rule.from_hour = std::stoi(value->substr(0, dash));
        rule.to_hour = std::stoi(value->substr(dash + 1));
        if (rule.from_hour < 0 || rule.from_hour > 24 || rule.to_hour < 0 || rule.to_hour > 24) {
          throw std::out_of_range("hours");
        }
      } catch (const std::exception&) {
        return refuse(field_key,
                      "must be FROM-TO in whole hours, e.g. 22-6 (got '" + *value + "')");
      }
    } else if (name == "team") {
      auto value = text(field.second, field_key);
      if (!value) return tl::unexpected(value.error());
      if (value->empty()) return refuse(field_key, "must not be empty");
      rule.team = *value;
      has_team = true;
    } else if (name == "target_days") {
      auto value = whole(field.second, field_key, 0, 365);
      if (!value) return tl::unexpected(value.error());
      rule.target_working_days = static_cast<int>(*value);
    } else {
      return refuse(field_key, "unknown setting");
    }
  }
  if (!has_team) return refuse(key + ".team", "is required");
  return rule;
}

}  // namespace

tl::expected<void, ConfigError> parse_cases_section(const std::string& name, const YAML::Node& node,
                                                    cases::CasesSettings& cases,
                                                    Open311Config& open311) {
  for (const auto& field : node) {
    const std::string setting = field.first.as<std::string>();
    const std::string key = name + "." + setting;
    const YAML::Node& value = field.second;
    if (name == "cases" &&
        (setting == "areas_geojson" || setting == "postcodes_csv" || setting == "default_team")) {
      auto parsed = text(value, key);
      if (!parsed) return tl::unexpected(parsed.error());
      if (setting == "areas_geojson") cases.areas_geojson = *parsed;
      if (setting == "postcodes_csv") cases.postcodes_csv = *parsed;
      if (setting == "default_team") {
        if (parsed->empty()) return refuse(key, "must not be empty");
        cases.default_team = *parsed;
      }
    } else if (name == "cases" && setting == "group_radius_m") {
      auto parsed = whole(value, key, 0, 10'000);
      if (!parsed) return tl::unexpected(parsed.error());
      cases.group_radius_m = static_cast<double>(*parsed);
    } else if (name == "cases" && setting == "group_period_days") {
      auto parsed = whole(value, key, 0, 3650);
      if (!parsed) return tl::unexpected(parsed.error());
      cases.group_period_days = static_cast<int>(*parsed);
    } else if (name == "cases" && setting == "default_target_days") {
      auto parsed = whole(value, key, 0, 365);
      if (!parsed) return tl::unexpected(parsed.error());
      cases.default_target_days = static_cast<int>(*parsed);
    } else if (name == "cases" && setting == "routing") {
      if (!value.IsSequence()) return refuse(key, "must be a list of rules");
      cases.routing.clear();
      for (std::size_t i = 0; i < value.size(); ++i) {
        auto parsed = rule(value[i], key + "[" + std::to_string(i) + "]");
        if (!parsed) return tl::unexpected(parsed.error());
        cases.routing.push_back(std::move(*parsed));
      }
    } else if (name == "open311" && setting == "enabled") {
      auto parsed = text(value, key);
      if (!parsed) return tl::unexpected(parsed.error());
      if (*parsed != "true" && *parsed != "false") return refuse(key, "must be true or false");
      open311.enabled = *parsed == "true";
    } else if (name == "open311" && setting == "jurisdiction_id") {
      auto parsed = text(value, key);
      if (!parsed) return tl::unexpected(parsed.error());
      open311.jurisdiction_id = *parsed;
    } else if (name == "open311" && setting == "api_key_sha256") {
      if (!value.IsSequence()) return refuse(key, "must be a list of SHA-256 hex digests");
      open311.api_key_sha256.clear();
      for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string item_key = key + "[" + std::to_string(i) + "]";
        auto parsed = text(value[i], item_key);
        if (!parsed) return tl::unexpected(parsed.error());
        if (!is_sha256_hex(*parsed)) {
          return refuse(item_key, "must be 64 lowercase hex characters (sha256sum of the key)");
        }
        open311.api_key_sha256.push_back(*parsed);
      }
    } else {
      return refuse(key, "unknown setting");
    }
  }
  return {};
}

}  // namespace buurtlijn::gateway
