// Configuration parsing: defaults, the example file, and every refusal.
#include "gateway/config.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

using namespace buurtlijn::gateway;

namespace {
std::string refusal(std::string_view yaml) {
  auto config = parse_config(yaml);
  REQUIRE_FALSE(config.has_value());
  return config.error().describe();
}

EnvLookup fake_env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto found = values.find(std::string(name));
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}
}  // namespace

TEST_CASE("an empty configuration gives the documented defaults") {
  auto config = parse_config("");
  REQUIRE(config);
  CHECK(config->server.host == "127.0.0.1");
  CHECK(config->server.port == 8080);
  CHECK(config->server.body_limit_bytes == 1024 * 1024);
  CHECK(config->store.data_dir == "./var");
  CHECK(config->webchat.enabled);
  CHECK(config->webchat.max_text_bytes == 4096);
  CHECK(config->content.locales_dir.empty());
}

TEST_CASE("the checked-in example configuration parses to the defaults") {
  auto example = load_config_file(std::string(BUURTLIJN_SOURCE_DIR) + "/buurtlijn.example.yaml");
  REQUIRE_MESSAGE(example, (example ? "" : example.error().describe()));
  const Config defaults;
  CHECK(example->server.host == defaults.server.host);
  CHECK(example->server.port == defaults.server.port);
  CHECK(example->server.threads == defaults.server.threads);
  CHECK(example->server.max_connections == defaults.server.max_connections);
  CHECK(example->server.header_limit_bytes == defaults.server.header_limit_bytes);
  CHECK(example->server.body_limit_bytes == defaults.server.body_limit_bytes);
  CHECK(example->server.read_timeout == defaults.server.read_timeout);
  CHECK(example->server.idle_timeout == defaults.server.idle_timeout);
  CHECK(example->server.max_pipelined_requests == defaults.server.max_pipelined_requests);
  CHECK(example->server.shutdown_deadline == defaults.server.shutdown_deadline);
  CHECK(example->store.data_dir == defaults.store.data_dir);
  CHECK(example->store.max_batch == defaults.store.max_batch);
  CHECK(example->webchat.enabled == defaults.webchat.enabled);
  CHECK(example->webchat.max_text_bytes == defaults.webchat.max_text_bytes);
  CHECK(example->webchat.messages_per_second == defaults.webchat.messages_per_second);
  CHECK(example->webchat.burst == defaults.webchat.burst);
  CHECK(example->webchat.max_sessions == defaults.webchat.max_sessions);
  CHECK(example->webchat.idle_timeout == defaults.webchat.idle_timeout);
  CHECK(example->webchat.allowed_origins.empty());
  CHECK(example->content.locales_dir == defaults.content.locales_dir);
  CHECK(example->log.level == defaults.log.level);
  CHECK(example->log.requests == defaults.log.requests);
  CHECK(example->outbox.whatsapp.messages_per_second ==
        defaults.outbox.whatsapp.messages_per_second);
  CHECK(example->outbox.telegram.messages_per_second ==
        defaults.outbox.telegram.messages_per_second);
  CHECK(example->outbox.telegram.per_conversation_per_second ==
        defaults.outbox.telegram.per_conversation_per_second);
  CHECK(example->outbox.kannel.messages_per_second == defaults.outbox.kannel.messages_per_second);
  CHECK(example->outbox.max_attempts == defaults.outbox.max_attempts);
  CHECK(example->outbox.initial_backoff == defaults.outbox.initial_backoff);
  CHECK(example->outbox.max_backoff == defaults.outbox.max_backoff);
  CHECK(example->outbox.request_timeout == defaults.outbox.request_timeout);
  CHECK(example->outbox.max_in_flight == defaults.outbox.max_in_flight);
  CHECK(example->outbox.sms_max_segments == defaults.outbox.sms_max_segments);
  CHECK(example->notifications.max_recipients == defaults.notifications.max_recipients);
  CHECK(example->notifications.whatsapp_templates == defaults.notifications.whatsapp_templates);
}

TEST_CASE("notifications.whatsapp_templates maps template keys to approved templates") {
  auto config = parse_config(
      "notifications:\n"
      "  whatsapp_templates:\n"
      "    office_hours:\n"
      "      name: deventer_office_hours\n"
      "      languages: {nl: nl, en: en_US}\n"
      "      parameters: [day, hours, place]\n");
  REQUIRE_MESSAGE(config, (config ? "" : config.error().describe()));
  const WhatsappTemplate& mapped = config->notifications.whatsapp_templates.at("office_hours");
  CHECK(mapped.name == "deventer_office_hours");
  CHECK(mapped.languages.at("en") == "en_US");
  CHECK(mapped.parameters == std::vector<std::string>{"day", "hours", "place"});
  auto nameless = parse_config(
      "notifications:\n  whatsapp_templates:\n    office_hours: {languages: {nl: nl}}\n");
  REQUIRE_FALSE(nameless);
  CHECK(nameless.error().key == "notifications.whatsapp_templates.office_hours.name");
  auto unknown = parse_config(
      "notifications:\n  whatsapp_templates:\n    x: {name: a, languages: {nl: nl}, colour: "
      "red}\n");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().key == "notifications.whatsapp_templates.x.colour");
}

TEST_CASE("settings are read") {
  auto config = parse_config(R"(
server:
  listen: "[::1]:9000"
  threads: 4
  read_timeout_ms: 2500
  per_address_per_second: 5
  trusted_proxies: ["127.0.0.1", "::1"]
store:
  data_dir: /srv/buurtlijn
webchat:
  enabled: false
  messages_per_second: 2.5
  allowed_origins: ["https://www.deventer.nl"]
log:
  level: debug
)");
  REQUIRE_MESSAGE(config, (config ? "" : config.error().describe()));
  CHECK(config->server.host == "::1");
  CHECK(config->server.port == 9000);
  CHECK(config->server.threads == 4);
  CHECK(config->server.read_timeout == std::chrono::milliseconds(2500));
  CHECK(config->server.per_address_per_second == doctest::Approx(5.0));
  CHECK(config->server.trusted_proxies == std::vector<std::string>{"127.0.0.1", "::1"});
  CHECK(config->store.data_dir == "/srv/buurtlijn");
  CHECK_FALSE(config->webchat.enabled);
  CHECK(config->webchat.messages_per_second == doctest::Approx(2.5));
  CHECK(config->webchat.allowed_origins == std::vector<std::string>{"https://www.deventer.nl"});
  CHECK(config->log.level == "debug");
}

TEST_CASE("every kind of bad configuration is refused with its key and reason") {
  struct Case {
    const char* yaml;
    const char* expected;
  };
  const Case cases[] = {
      {"- a\n- b\n", "file: the top level must be a mapping of sections"},
      {"server: [1, 2\n", "file: not valid YAML at line"},
      {"servr:\n  threads: 1\n", "servr: unknown section"},
      {"server: 5\n", "server: must be a mapping of settings"},
      {"server:\n  thread: 1\n", "server.thread: unknown setting"},
      {"server:\n  threads: many\n", "server.threads: must be a whole number (got 'many')"},
      {"server:\n  threads: -1\n", "server.threads: must be a whole number (got '-1')"},
      {"server:\n  max_connections: 0\n",
       "server.max_connections: must be between 1 and 1000000 (got 0)"},
      {"server:\n  listen: localhost\n", "server.listen: must be HOST:PORT (got 'localhost')"},
      {"server:\n  listen: 127.0.0.1:70000\n",
       "server.listen: port must be a number from 0 to 65535 (got '70000')"},
      {"server:\n  listen: [1, 2]\n", "server.listen: must be a single value"},
      {"server:\n  body_limit_bytes: 10\n",
       "server.body_limit_bytes: must be between 1024 and 67108864 (got 10)"},
      {"server:\n  trusted_proxies: [\"proxy.local\"]\n",
       "server.trusted_proxies[0]: must be an IP address (got 'proxy.local')"},
      {"server:\n  trusted_proxies: 127.0.0.1\n",
       "server.trusted_proxies: must be a list of IP addresses"},
      {"store:\n  data_dir: \"\"\n", "store.data_dir: must not be empty"},
      {"webchat:\n  enabled: yes please\n",
       "webchat.enabled: must be true or false (got 'yes please')"},
      {"webchat:\n  messages_per_second: 0\n",
       "webchat.messages_per_second: must be above 0 and at most 100000 (got 0)"},
      {"webchat:\n  messages_per_second: fast\n",
       "webchat.messages_per_second: must be a number (got 'fast')"},
      {"webchat:\n  allowed_origins: https://x.nl\n",
       "webchat.allowed_origins: must be a list of origins"},
      {"webchat:\n  allowed_origins: [\"www.deventer.nl\"]\n",
       "webchat.allowed_origins[0]: must start with http:// or https:// (got 'www.deventer.nl')"},
      {"log:\n  level: loud\n", "log.level: must be one of debug, info, warn, error (got 'loud')"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.yaml);
    const std::string reason = refusal(c.yaml);
    CHECK_MESSAGE(reason.rfind(c.expected, 0) == 0, reason);
  }
}

TEST_CASE("an unreadable configuration file is refused with its path") {
  auto config = load_config_file("/nonexistent/buurtlijn.yaml");
  REQUIRE_FALSE(config);
  CHECK(config.error().describe() == "file: cannot read '/nonexistent/buurtlijn.yaml'");
}

TEST_CASE("a refusal in a file names the file") {
  const auto path = std::filesystem::temp_directory_path() / "buurtlijn-config-test.yaml";
  std::ofstream(path) << "server:\n  port: 1\n";
  auto config = load_config_file(path.string());
  std::filesystem::remove(path);
  REQUIRE_FALSE(config);
  CHECK(config.error().describe() == "server.port: unknown setting (in " + path.string() + ")");
}

TEST_CASE("--listen accepts host:port and IPv6 in brackets") {
  ServerConfig server;
  REQUIRE(apply_listen(server, "0.0.0.0:0"));
  CHECK(server.host == "0.0.0.0");
  CHECK(server.port == 0);
  REQUIRE(apply_listen(server, "[::]:8443"));
  CHECK(server.host == "::");
  CHECK(server.port == 8443);
  CHECK_FALSE(apply_listen(server, ":80"));
  CHECK_FALSE(apply_listen(server, "host:"));
  CHECK_FALSE(apply_listen(server, "host:8o"));
}

TEST_CASE("secrets come from the environment or from a private file") {
  Config config;
  REQUIRE(load_secrets(config, fake_env({})));
  CHECK(config.secrets.pseudonym_key.empty());

  REQUIRE(load_secrets(config, fake_env({{"BUURTLIJN_PSEUDONYM_KEY", "k1"}})));
  CHECK(config.secrets.pseudonym_key == "k1");

  auto both = load_secrets(
      config, fake_env({{"BUURTLIJN_PSEUDONYM_KEY", "a"}, {"BUURTLIJN_PSEUDONYM_KEY_FILE", "/x"}}));
  REQUIRE_FALSE(both);
  CHECK(both.error().describe() ==
        "BUURTLIJN_PSEUDONYM_KEY: set either it or BUURTLIJN_PSEUDONYM_KEY_FILE");

  auto empty = load_secrets(config, fake_env({{"BUURTLIJN_PSEUDONYM_KEY", ""}}));
  REQUIRE_FALSE(empty);
  CHECK(empty.error().key == "BUURTLIJN_PSEUDONYM_KEY");

  const auto path = std::filesystem::temp_directory_path() / "buurtlijn-secret-test.key";
  std::ofstream(path) << "from-file\n";
  ::chmod(path.c_str(), 0644);
  auto readable = load_secrets(config, fake_env({{"BUURTLIJN_PSEUDONYM_KEY_FILE", path}}));
  REQUIRE_FALSE(readable);
  CHECK(readable.error().describe() ==
        "BUURTLIJN_PSEUDONYM_KEY_FILE: the file must not be readable by group or others "
        "(chmod 600)");
  ::chmod(path.c_str(), 0600);
  Config fresh;
  REQUIRE(load_secrets(fresh, fake_env({{"BUURTLIJN_PSEUDONYM_KEY_FILE", path}})));
  CHECK(fresh.secrets.pseudonym_key == "from-file");
  std::filesystem::remove(path);

  auto missing =
      load_secrets(config, fake_env({{"BUURTLIJN_PSEUDONYM_KEY_FILE", "/nonexistent/key"}}));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().reason == "names a file that is missing");
}
