// See media_config.hpp.
#include "gateway/media_config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>

#include "gateway/config.hpp"

namespace buurtlijn::gateway {
namespace {

tl::unexpected<ConfigError> refuse(std::string key, std::string reason) {
  return tl::unexpected(ConfigError{std::move(key), std::move(reason)});
}

tl::expected<std::uint64_t, ConfigError> whole_number(const YAML::Node& node,
                                                      const std::string& key, std::uint64_t min,
                                                      std::uint64_t max) {
  if (!node.IsScalar()) return refuse(key, "must be a single value");
  const std::string& text = node.Scalar();
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) {
    return refuse(key, "must be a whole number (got '" + text + "')");
  }
  if (value < min || value > max) {
    return refuse(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                           " (got " + text + ")");
  }
  return value;
}

tl::expected<std::vector<std::string>, ConfigError> host_list(const YAML::Node& node,
                                                              const std::string& key) {
  if (!node.IsSequence()) return refuse(key, "must be a list of host names");
  std::vector<std::string> hosts;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string item_key = key + "[" + std::to_string(i) + "]";
    if (!node[i].IsScalar() || node[i].Scalar().empty()) {
      return refuse(item_key, "must be a host name");
    }
    const std::string& host = node[i].Scalar();
    if (host.find_first_of("/:@ ") != std::string::npos) {
      return refuse(item_key, "must be a bare host name, without scheme, port or path");
    }
    hosts.push_back(host);
  }
  return hosts;
}

}  // namespace

tl::expected<void, ConfigError> parse_media_section(const YAML::Node& node, MediaConfig& media) {
  if (node.IsNull()) return {};
  if (!node.IsMap()) return refuse("media", "must be a mapping of settings");
  for (const auto& field : node) {
    const std::string name = field.first.as<std::string>();
    const std::string key = "media." + name;
    if (name == "enabled") {
      if (!field.second.IsScalar() ||
          (field.second.Scalar() != "true" && field.second.Scalar() != "false")) {
        return refuse(key, "must be true or false");
      }
      media.enabled = field.second.Scalar() == "true";
    } else if (name == "max_bytes") {
      auto value = whole_number(field.second, key, 1024, 100ULL * 1024 * 1024);
      if (!value) return tl::unexpected(value.error());
      media.max_bytes = *value;
    } else if (name == "download_timeout_ms") {
      auto value = whole_number(field.second, key, 100, 600'000);
      if (!value) return tl::unexpected(value.error());
      media.download_timeout = std::chrono::milliseconds(*value);
    } else if (name == "downloads_per_second") {
      auto value = whole_number(field.second, key, 1, 100);
      if (!value) return tl::unexpected(value.error());
      media.downloads_per_second = static_cast<double>(*value);
    } else if (name == "whatsapp_hosts" || name == "telegram_hosts") {
      auto hosts = host_list(field.second, key);
      if (!hosts) return tl::unexpected(hosts.error());
      (name == "whatsapp_hosts" ? media.whatsapp_hosts : media.telegram_hosts) = std::move(*hosts);
    } else {
      return refuse(key, "unknown setting");
    }
  }
  return {};
}

}  // namespace buurtlijn::gateway
