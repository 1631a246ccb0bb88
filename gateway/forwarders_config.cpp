// See forwarders_config.hpp.
#include "gateway/forwarders_config.hpp"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <iterator>

#include "connectors/email/email.hpp"
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

bool url_with_scheme(const std::string& url, std::initializer_list<std::string_view> schemes) {
  for (const std::string_view scheme : schemes) {
    if (url.size() > scheme.size() && url.compare(0, scheme.size(), scheme) == 0) return true;
  }
  return false;
}

tl::expected<EmailForwarder, ConfigError> email(const YAML::Node& node, const std::string& key) {
  if (!node.IsMap()) return refuse(key, "must be a mapping (to, from, smtp_url, ...)");
  EmailForwarder email;
  for (const auto& field : node) {
    const std::string name = field.first.as<std::string>();
    const std::string field_key = key + "." + name;
    if (name == "to") {
      if (!field.second.IsSequence()) return refuse(field_key, "must be a list of addresses");
      for (std::size_t i = 0; i < field.second.size(); ++i) {
        auto value = text(field.second[i], field_key + "[" + std::to_string(i) + "]");
        if (!value) return tl::unexpected(value.error());
        email.to.push_back(*value);
      }
    } else if (name == "language") {
      auto value = text(field.second, field_key);
      if (!value) return tl::unexpected(value.error());
      if (*value != "nl" && *value != "en") return refuse(field_key, "must be nl or en");
      email.language = *value;
    } else if (name == "from" || name == "smtp_url" || name == "smtp_username") {
      auto value = text(field.second, field_key);
      if (!value) return tl::unexpected(value.error());
      if (name == "from") email.from = *value;
      if (name == "smtp_url") email.smtp_url = *value;
      if (name == "smtp_username") email.smtp_username = *value;
    } else if (name == "include_contact") {
      auto value = text(field.second, field_key);
      if (!value) return tl::unexpected(value.error());
      if (*value != "true" && *value != "false") return refuse(field_key, "must be true or false");
      email.include_contact = *value == "true";
    } else {
      return refuse(field_key, "unknown setting");
    }
  }
  if (auto checked = connectors::email::check_settings({email.from, email.to, false}); !checked) {
    return refuse(key, checked.error());
  }
  if (!url_with_scheme(email.smtp_url, {"smtp://", "smtps://"})) {
    return refuse(key + ".smtp_url", "must start with smtp:// or smtps://");
  }
  return email;
}

tl::expected<Open311Forwarder, ConfigError> open311(const YAML::Node& node,
                                                    const std::string& key) {
  if (!node.IsMap()) return refuse(key, "must be a mapping (endpoint, service_code, ...)");
  Open311Forwarder open311;
  for (const auto& field : node) {
    const std::string name = field.first.as<std::string>();
    const std::string field_key = key + "." + name;
    auto value = text(field.second, field_key);
    if (!value) return tl::unexpected(value.error());
    if (name == "endpoint") {
      open311.endpoint = *value;
    } else if (name == "service_code") {
      open311.service_code = *value;
    } else if (name == "jurisdiction_id") {
      open311.jurisdiction_id = *value;
    } else {
      return refuse(field_key, "unknown setting");
    }
  }
  if (!url_with_scheme(open311.endpoint, {"http://", "https://"})) {
    return refuse(key + ".endpoint", "must start with http:// or https://");
  }
  if (open311.service_code.empty()) return refuse(key + ".service_code", "is required");
  return open311;
}

tl::expected<Forwarder, ConfigError> forwarder(const YAML::Node& node, const std::string& key) {
  if (!node.IsMap()) return refuse(key, "must be a mapping (team, email, open311)");
  Forwarder forwarder;
  for (const auto& field : node) {
    const std::string name = field.first.as<std::string>();
    const std::string field_key = key + "." + name;
    if (name == "team") {
      auto value = text(field.second, field_key);
      if (!value) return tl::unexpected(value.error());
      if (value->empty()) return refuse(field_key, "must not be empty");
      forwarder.team = *value;
    } else if (name == "email") {
      auto value = email(field.second, field_key);
      if (!value) return tl::unexpected(value.error());
      forwarder.email = std::move(*value);
    } else if (name == "open311") {
      auto value = open311(field.second, field_key);
      if (!value) return tl::unexpected(value.error());
      forwarder.open311 = std::move(*value);
    } else {
      return refuse(field_key, "unknown setting");
    }
  }
  if (forwarder.team.empty()) return refuse(key + ".team", "is required");
  if (!forwarder.email && !forwarder.open311) return refuse(key, "needs email or open311");
  return forwarder;
}

tl::expected<std::optional<std::string>, ConfigError> secret(
    const std::string& name,
    const std::function<std::optional<std::string>(std::string_view)>& env) {
  const std::string file_var = name + "_FILE";
  auto direct = env(name);
  auto file = env(file_var);
  if (direct && file) return refuse(name, "set either it or " + file_var);
  if (direct) {
    if (direct->empty()) return refuse(name, "must not be empty");
    return direct;
  }
  if (!file) return std::optional<std::string>();
  struct stat info {};
  if (::stat(file->c_str(), &info) != 0) return refuse(file_var, "names a file that is missing");
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return refuse(file_var, "the file must not be readable by group or others (chmod 600)");
  }
  std::ifstream in(*file, std::ios::binary);
  std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) return refuse(file_var, "names an empty file");
  return value;
}

}  // namespace

const Forwarder* ForwardingConfig::for_team(std::string_view team) const {
  for (const Forwarder& forwarder : forwarders) {
    if (forwarder.team == team) return &forwarder;
  }
  return nullptr;
}

tl::expected<void, ConfigError> take_forwarding_settings(YAML::Node cases_section,
                                                         ForwardingConfig& forwarding) {
  if (!cases_section.IsMap()) return {};
  const YAML::Node& section = cases_section;  // const: lookups do not insert keys
  if (const YAML::Node base = section["public_base_url"]) {
    auto value = text(base, "cases.public_base_url");
    if (!value) return tl::unexpected(value.error());
    if (!url_with_scheme(*value, {"http://", "https://"})) {
      return refuse("cases.public_base_url", "must start with http:// or https://");
    }
    while (!value->empty() && value->back() == '/') value->pop_back();
    forwarding.public_base_url = *value;
    cases_section.remove("public_base_url");
  }
  if (const YAML::Node list = section["forwarders"]) {
    if (!list.IsSequence()) return refuse("cases.forwarders", "must be a list of forwarders");
    forwarding.forwarders.clear();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string key = "cases.forwarders[" + std::to_string(i) + "]";
      auto parsed = forwarder(list[i], key);
      if (!parsed) return tl::unexpected(parsed.error());
      if (forwarding.for_team(parsed->team) != nullptr) {
        return refuse(key + ".team", "team '" + parsed->team + "' has a forwarder already");
      }
      forwarding.forwarders.push_back(std::move(*parsed));
    }
    cases_section.remove("forwarders");
  }
  return {};
}

std::string forwarder_secret_name(std::string_view team, std::string_view what) {
  std::string name = "BUURTLIJN_FORWARD_";
  for (const char c : team) {
    const auto u = static_cast<unsigned char>(c);
    name += std::isalnum(u) != 0 ? static_cast<char>(std::toupper(u)) : '_';
  }
  name += '_';
  name += what;
  return name;
}

tl::expected<void, ConfigError> load_forwarder_secrets(
    ForwardingConfig& forwarding,
    const std::function<std::optional<std::string>(std::string_view)>& env) {
  for (Forwarder& forwarder : forwarding.forwarders) {
    if (forwarder.email) {
      auto value = secret(forwarder_secret_name(forwarder.team, "SMTP_PASSWORD"), env);
      if (!value) return tl::unexpected(value.error());
      if (*value) forwarder.email->smtp_password = **value;
    }
    if (forwarder.open311) {
      auto value = secret(forwarder_secret_name(forwarder.team, "OPEN311_API_KEY"), env);
      if (!value) return tl::unexpected(value.error());
      if (*value) forwarder.open311->api_key = **value;
    }
  }
  return {};
}

}  // namespace buurtlijn::gateway
