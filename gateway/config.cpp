// Parsing of the YAML configuration and the secrets; see config.hpp.
#include "gateway/config.hpp"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace buurtlijn::gateway {
namespace {

using Outcome = tl::expected<void, ConfigError>;
tl::unexpected<ConfigError> refuse(std::string key, std::string reason) {
  return tl::unexpected(ConfigError{std::move(key), std::move(reason)});
}

tl::expected<std::string, ConfigError> scalar(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) return refuse(key, "must be a single value");
  return node.Scalar();
}

tl::expected<std::uint64_t, ConfigError> read_unsigned(const YAML::Node& node,
                                                       const std::string& key, std::uint64_t min,
                                                       std::uint64_t max) {
  auto text = scalar(node, key);
  if (!text) return tl::unexpected(text.error());
  std::uint64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc{} || ptr != end) {
    return refuse(key, "must be a whole number (got '" + *text + "')");
  }
  if (value < min || value > max) {
    return refuse(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                           " (got " + *text + ")");
  }
  return value;
}

tl::expected<double, ConfigError> read_positive_double(const YAML::Node& node,
                                                       const std::string& key, double max) {
  auto text = scalar(node, key);
  if (!text) return tl::unexpected(text.error());
  char* end = nullptr;
  const double value = std::strtod(text->c_str(), &end);
  if (text->empty() || end != text->c_str() + text->size()) {
    return refuse(key, "must be a number (got '" + *text + "')");
  }
  if (!(value > 0.0) || value > max) {
    return refuse(key, "must be above 0 and at most " + std::to_string(static_cast<long>(max)) +
                           " (got " + *text + ")");
  }
  return value;
}

tl::expected<bool, ConfigError> read_bool(const YAML::Node& node, const std::string& key) {
  auto text = scalar(node, key);
  if (!text) return tl::unexpected(text.error());
  if (*text == "true") return true;
  if (*text == "false") return false;
  return refuse(key, "must be true or false (got '" + *text + "')");
}

// A field of a section: how to read it into the config.
using FieldReader = std::function<Outcome(const YAML::Node&, const std::string& key, Config&)>;
using Section = std::map<std::string, FieldReader>;

// Builders that keep the table below readable.
template <class Setter>
FieldReader number(std::uint64_t min, std::uint64_t max, Setter set) {
  return [=](const YAML::Node& node, const std::string& key, Config& config) -> Outcome {
    auto value = read_unsigned(node, key, min, max);
    if (!value) return tl::unexpected(value.error());
    set(config, *value);
    return {};
  };
}

template <class Setter>
FieldReader millis(std::uint64_t min, std::uint64_t max, Setter set) {
  return number(min, max, [=](Config& config, std::uint64_t value) {
    set(config, milliseconds(static_cast<milliseconds::rep>(value)));
  });
}

template <class Setter>
FieldReader flag(Setter set) {
  return [=](const YAML::Node& node, const std::string& key, Config& config) -> Outcome {
    auto value = read_bool(node, key);
    if (!value) return tl::unexpected(value.error());
    set(config, *value);
    return {};
  };
}

template <class Setter>
FieldReader text(Setter set) {
  return [=](const YAML::Node& node, const std::string& key, Config& config) -> Outcome {
    auto value = scalar(node, key);
    if (!value) return tl::unexpected(value.error());
    return set(config, *value, key);
  };
}

template <class Setter>
FieldReader rate(Setter set) {
  return [=](const YAML::Node& node, const std::string& key, Config& config) -> Outcome {
    auto value = read_positive_double(node, key, 100'000);
    if (!value) return tl::unexpected(value.error());
    set(config, *value);
    return {};
  };
}

// notifications.whatsapp_templates: {key: {name: .., languages: {nl: nl, ..}, parameters: [..]}}
Outcome read_whatsapp_templates(const YAML::Node& node, const std::string& key, Config& c) {
  if (!node.IsMap()) return refuse(key, "must be a mapping of template keys");
  c.notifications.whatsapp_templates.clear();
  for (const auto& entry : node) {
    const std::string template_key = key + "." + entry.first.as<std::string>();
    const YAML::Node& item = entry.second;
    if (!item.IsMap())
      return refuse(template_key, "must be a mapping with name, languages, parameters");
    WhatsappTemplate mapped;
    for (const auto& field : item) {
      const std::string name = field.first.as<std::string>();
      const std::string field_key = template_key + "." + name;
      if (name == "name") {
        auto text = scalar(field.second, field_key);
        if (!text) return tl::unexpected(text.error());
        mapped.name = *text;
      } else if (name == "languages") {
        if (!field.second.IsMap()) return refuse(field_key, "must map languages to WhatsApp codes");
        for (const auto& language : field.second) {
          auto code = scalar(language.second, field_key + "." + language.first.as<std::string>());
          if (!code) return tl::unexpected(code.error());
          mapped.languages[language.first.as<std::string>()] = *code;
        }
      } else if (name == "parameters") {
        if (!field.second.IsSequence())
          return refuse(field_key, "must be a list of parameter names");
        for (std::size_t i = 0; i < field.second.size(); ++i) {
          auto parameter = scalar(field.second[i], field_key + "[" + std::to_string(i) + "]");
          if (!parameter) return tl::unexpected(parameter.error());
          mapped.parameters.push_back(*parameter);
        }
      } else {
        return refuse(field_key, "unknown setting");
      }
    }
    if (mapped.name.empty()) return refuse(template_key + ".name", "is required");
    if (mapped.languages.empty())
      return refuse(template_key + ".languages", "needs at least one language");
    c.notifications.whatsapp_templates[entry.first.as<std::string>()] = std::move(mapped);
  }
  return {};
}

const std::map<std::string, Section>& sections() {
  static const std::map<std::string, Section> table = {
      {"server",
       {
           {"listen", text([](Config& c, const std::string& v, const std::string& key) -> Outcome {
              auto applied = apply_listen(c.server, v);
              if (!applied) return refuse(key, applied.error().reason);
              return {};
            })},
           {"threads", number(0, 256, [](Config& c, auto v) { c.server.threads = unsigned(v); })},
           {"max_connections",
            number(1, 1'000'000, [](Config& c, auto v) { c.server.max_connections = v; })},
           {"header_limit_bytes",
            number(1024, 1 << 20, [](Config& c, auto v) { c.server.header_limit_bytes = v; })},
           {"body_limit_bytes",
            number(1024, 64 << 20, [](Config& c, auto v) { c.server.body_limit_bytes = v; })},
           {"read_timeout_ms",
            millis(100, 600'000, [](Config& c, auto v) { c.server.read_timeout = v; })},
           {"idle_timeout_ms",
            millis(100, 3'600'000, [](Config& c, auto v) { c.server.idle_timeout = v; })},
           {"max_pipelined_requests",
            number(1, 10'000, [](Config& c, auto v) { c.server.max_pipelined_requests = v; })},
           {"shutdown_deadline_ms",
            millis(0, 600'000, [](Config& c, auto v) { c.server.shutdown_deadline = v; })},
           {"per_address_per_second",
            rate([](Config& c, double v) { c.server.per_address_per_second = v; })},
           {"per_address_burst",
            number(1, 1'000'000,
                   [](Config& c, auto v) { c.server.per_address_burst = unsigned(v); })},
           {"per_subject_per_minute",
            number(0, 100'000,
                   [](Config& c, auto v) { c.server.per_subject_per_minute = unsigned(v); })},
           {"per_subject_burst",
            number(1, 100'000,
                   [](Config& c, auto v) { c.server.per_subject_burst = unsigned(v); })},
           {"trusted_proxies",
            [](const YAML::Node& node, const std::string& key, Config& c) -> Outcome {
              if (!node.IsSequence()) return refuse(key, "must be a list of IP addresses");
              c.server.trusted_proxies.clear();
              for (std::size_t i = 0; i < node.size(); ++i) {
                const std::string item_key = key + "[" + std::to_string(i) + "]";
                auto address = scalar(node[i], item_key);
                if (!address) return tl::unexpected(address.error());
                boost::system::error_code invalid;
                const auto parsed = boost::asio::ip::make_address(*address, invalid);
                if (invalid) {
                  return refuse(item_key, "must be an IP address (got '" + *address + "')");
                }
                c.server.trusted_proxies.push_back(parsed.to_string());
              }
              return {};
            }},
       }},
      {"store",
       {
           {"data_dir",
            text([](Config& c, const std::string& v, const std::string& key) -> Outcome {
              if (v.empty()) return refuse(key, "must not be empty");
              c.store.data_dir = v;
              return {};
            })},
           {"max_batch", number(1, 100'000, [](Config& c, auto v) { c.store.max_batch = v; })},
       }},
      {"webchat",
       {
           {"enabled", flag([](Config& c, bool v) { c.webchat.enabled = v; })},
           {"max_text_bytes",
            number(16, 65'536, [](Config& c, auto v) { c.webchat.max_text_bytes = v; })},
           {"messages_per_second",
            rate([](Config& c, double v) { c.webchat.messages_per_second = v; })},
           {"burst", number(1, 10'000, [](Config& c, auto v) { c.webchat.burst = unsigned(v); })},
           {"max_sessions",
            number(1, 1'000'000, [](Config& c, auto v) { c.webchat.max_sessions = v; })},
           {"idle_timeout_ms",
            millis(1000, 86'400'000, [](Config& c, auto v) { c.webchat.idle_timeout = v; })},
           {"allowed_origins",
            [](const YAML::Node& node, const std::string& key, Config& c) -> Outcome {
              if (!node.IsSequence()) return refuse(key, "must be a list of origins");
              c.webchat.allowed_origins.clear();
              for (std::size_t i = 0; i < node.size(); ++i) {
                const std::string item_key = key + "[" + std::to_string(i) + "]";
                auto origin = scalar(node[i], item_key);
                if (!origin) return tl::unexpected(origin.error());
                if (origin->rfind("http://", 0) != 0 && origin->rfind("https://", 0) != 0) {
                  return refuse(item_key,
                                "must start with http:// or https:// (got '" + *origin + "')");
                }
                c.webchat.allowed_origins.push_back(*origin);
              }
              return {};
            }},
       }},
      {"retention",
       {
           {"message_days",
            number(0, 3650, [](Config& c, auto v) { c.retention.message_days = unsigned(v); })},
           {"contact_idle_days",
            number(1, 3650,
                   [](Config& c, auto v) { c.retention.contact_idle_days = unsigned(v); })},
           {"report_days",
            number(0, 3650, [](Config& c, auto v) { c.retention.report_days = unsigned(v); })},
           {"photo_days",
            number(0, 3650, [](Config& c, auto v) { c.retention.photo_days = unsigned(v); })},
           {"case_anonymise_years",
            number(1, 30,
                   [](Config& c, auto v) { c.retention.case_anonymise_years = unsigned(v); })},
           {"interval_ms",
            millis(100, 86'400'000, [](Config& c, auto v) { c.retention.interval = v; })},
           {"batch_rows",
            number(1, 1'000'000, [](Config& c, auto v) { c.retention.batch_rows = v; })},
       }},
      {"content",
       {
           {"locales_dir", text([](Config& c, const std::string& v, const std::string&) -> Outcome {
              c.content.locales_dir = v;
              return {};
            })},
       }},
      {"outbox",
       {
           {"whatsapp_per_second",
            rate([](Config& c, double v) { c.outbox.whatsapp.messages_per_second = v; })},
           {"telegram_per_second",
            rate([](Config& c, double v) { c.outbox.telegram.messages_per_second = v; })},
           {"telegram_per_chat_per_second",
            rate([](Config& c, double v) { c.outbox.telegram.per_conversation_per_second = v; })},
           {"kannel_per_second",
            rate([](Config& c, double v) { c.outbox.kannel.messages_per_second = v; })},
           {"max_attempts",
            number(1, 100, [](Config& c, auto v) { c.outbox.max_attempts = unsigned(v); })},
           {"initial_backoff_ms",
            millis(10, 3'600'000, [](Config& c, auto v) { c.outbox.initial_backoff = v; })},
           {"max_backoff_ms",
            millis(10, 86'400'000, [](Config& c, auto v) { c.outbox.max_backoff = v; })},
           {"request_timeout_ms",
            millis(100, 600'000, [](Config& c, auto v) { c.outbox.request_timeout = v; })},
           {"max_in_flight",
            number(1, 10'000, [](Config& c, auto v) { c.outbox.max_in_flight = unsigned(v); })},
           {"sms_max_segments",
            number(1, 10, [](Config& c, auto v) { c.outbox.sms_max_segments = unsigned(v); })},
           {"inflight_grace_ms",
            millis(0, 3'600'000, [](Config& c, auto v) { c.outbox.inflight_grace = v; })},
       }},
      {"notifications",
       {
           {"max_recipients",
            number(1, 10'000'000, [](Config& c, auto v) { c.notifications.max_recipients = v; })},
           {"whatsapp_templates", read_whatsapp_templates},
       }},
      {"log",
       {
           {"level", text([](Config& c, const std::string& v, const std::string& key) -> Outcome {
              if (v != "debug" && v != "info" && v != "warn" && v != "error") {
                return refuse(key, "must be one of debug, info, warn, error (got '" + v + "')");
              }
              c.log.level = v;
              return {};
            })},
           {"requests", flag([](Config& c, bool v) { c.log.requests = v; })},
           {"directory", text([](Config& c, const std::string& v, const std::string&) -> Outcome {
              c.log.directory = v;
              return {};
            })},
           {"retention_days",
            number(1, 3650, [](Config& c, auto v) { c.log.retention_days = unsigned(v); })},
       }},
  };
  return table;
}

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    // Read at start-up, before any thread that could change the environment exists.
    const char* value = std::getenv(std::string(name).c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

tl::expected<void, ConfigError> apply_listen(ServerConfig& server, std::string_view listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return refuse("listen", "must be HOST:PORT (got '" + std::string(listen) + "')");
  }
  std::string_view host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || ptr != port_text.data() + port_text.size() ||
      port > 65535) {
    return refuse("listen",
                  "port must be a number from 0 to 65535 (got '" + std::string(port_text) + "')");
  }
  server.host = std::string(host);
  server.port = static_cast<std::uint16_t>(port);
  return {};
}

tl::expected<Config, ConfigError> parse_config(std::string_view yaml_text) {
  Config config;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& error) {
    return refuse(
        "file", "not valid YAML at line " + std::to_string(error.mark.line + 1) + ": " + error.msg);
  }
  if (root.IsNull()) return config;
  if (!root.IsMap()) return refuse("file", "the top level must be a mapping of sections");
  for (const auto& entry : root) {
    const std::string name = entry.first.as<std::string>();
    if ((name == "cases" || name == "open311") && !entry.second.IsNull()) {
      if (!entry.second.IsMap()) return refuse(name, "must be a mapping of settings");
      if (name == "cases") {
        if (auto taken = take_forwarding_settings(entry.second, config.forwarding); !taken) {
          return tl::unexpected(taken.error());
        }
      }
      auto parsed = parse_cases_section(name, entry.second, config.cases, config.open311);
      if (!parsed) return tl::unexpected(parsed.error());
      continue;
    }
    if (name == "cases" || name == "open311") continue;
    if (name == "media") {
      if (auto parsed = parse_media_section(entry.second, config.media); !parsed) {
        return tl::unexpected(parsed.error());
      }
      continue;
    }
    const auto section = sections().find(name);
    if (section == sections().end()) return refuse(name, "unknown section");
    if (entry.second.IsNull()) continue;
    if (!entry.second.IsMap()) return refuse(name, "must be a mapping of settings");
    for (const auto& field : entry.second) {
      const std::string key = name + "." + field.first.as<std::string>();
      const auto reader = section->second.find(field.first.as<std::string>());
      if (reader == section->second.end()) return refuse(key, "unknown setting");
      if (auto read = reader->second(field.second, key, config); !read) {
        return tl::unexpected(read.error());
      }
    }
  }
  return config;
}

tl::expected<Config, ConfigError> load_config_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return refuse("file", "cannot read '" + path + "'");
  std::ostringstream text;
  text << file.rdbuf();
  auto config = parse_config(text.str());
  if (!config) config.error().reason += " (in " + path + ")";
  return config;
}

tl::expected<void, ConfigError> load_secrets(Config& config, const EnvLookup& env) {
  struct SecretSpec {
    std::string_view name;
    std::string Secrets::*field;
  };
  static constexpr SecretSpec kSecrets[] = {
      {"BUURTLIJN_PSEUDONYM_KEY", &Secrets::pseudonym_key},
      {"BUURTLIJN_WHATSAPP_APP_SECRET", &Secrets::whatsapp_app_secret},
      {"BUURTLIJN_WHATSAPP_VERIFY_TOKEN", &Secrets::whatsapp_verify_token},
      {"BUURTLIJN_WHATSAPP_TOKEN", &Secrets::whatsapp_token},
      {"BUURTLIJN_WHATSAPP_PHONE_NUMBER_ID", &Secrets::whatsapp_phone_number_id},
      {"BUURTLIJN_WHATSAPP_API_BASE", &Secrets::whatsapp_api_base},
      {"BUURTLIJN_TELEGRAM_TOKEN", &Secrets::telegram_token},
      {"BUURTLIJN_TELEGRAM_SECRET", &Secrets::telegram_secret},
      {"BUURTLIJN_TELEGRAM_API_BASE", &Secrets::telegram_api_base},
      {"BUURTLIJN_KANNEL_SENDSMS_URL", &Secrets::kannel_sendsms_url},
      {"BUURTLIJN_KANNEL_USERNAME", &Secrets::kannel_username},
      {"BUURTLIJN_KANNEL_PASSWORD", &Secrets::kannel_password},
      {"BUURTLIJN_KANNEL_SENDER", &Secrets::kannel_sender},
      {"BUURTLIJN_KANNEL_SECRET", &Secrets::kannel_secret},
      {"BUURTLIJN_KANNEL_DLR_URL", &Secrets::kannel_dlr_url},
  };
  for (const SecretSpec& spec : kSecrets) {
    const std::string file_var = std::string(spec.name) + "_FILE";
    auto direct = env(spec.name);
    auto file = env(file_var);
    if (direct && file) return refuse(std::string(spec.name), "set either it or " + file_var);
    if (direct) {
      if (direct->empty()) return refuse(std::string(spec.name), "must not be empty");
      config.secrets.*spec.field = *direct;
      continue;
    }
    if (!file) continue;
    struct stat info {};
    if (::stat(file->c_str(), &info) != 0) return refuse(file_var, "names a file that is missing");
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
      return refuse(file_var, "the file must not be readable by group or others (chmod 600)");
    }
    std::ifstream in(*file, std::ios::binary);
    std::string value((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    if (value.empty()) return refuse(file_var, "names an empty file");
    config.secrets.*spec.field = value;
  }
  return load_forwarder_secrets(config.forwarding, env);
}

}  // namespace buurtlijn::gateway
