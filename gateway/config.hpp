// Buurtlijn's configuration: one struct per area with its defaults here, one parse
// function, and buurtlijn.example.yaml at the top of the tree documenting every key.
// Secrets never come from the YAML file: only from BUURTLIJN_* environment variables
// or files named by BUURTLIJN_*_FILE. Plain values; thread-safe to share once built.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "cases/routing.hpp"
#include "gateway/cases_config.hpp"
#include "gateway/forwarders_config.hpp"
#include "gateway/media_config.hpp"

namespace buurtlijn::gateway {

using std::chrono::milliseconds;

struct ServerConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;           // 0 picks a free port (tests)
  unsigned threads = 0;                // 0: one per core
  std::size_t max_connections = 1024;  // further connections are closed at once
  std::size_t header_limit_bytes = 16 * 1024;
  std::size_t body_limit_bytes = 1024 * 1024;  // default per-route body limit
  milliseconds read_timeout{15'000};           // re-armed before every read
  milliseconds idle_timeout{60'000};           // keep-alive connection with no request
  unsigned max_pipelined_requests = 16;        // requests per connection before it closes
  milliseconds shutdown_deadline{10'000};
  // Requests per client address (token bucket); beyond it 429 with Retry-After.
  double per_address_per_second = 50.0;
  unsigned per_address_burst = 100;
  // Messages per subject (one number or chat), after parsing (subject_limiter.hpp); 0: off.
  unsigned per_subject_per_minute = 30;
  unsigned per_subject_burst = 30;
  // Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IP addresses).
  std::vector<std::string> trusted_proxies;
};

struct StoreConfig {
  std::string data_dir = "./var";  // SQLite file, attachments, generated keys
  std::size_t max_batch = 512;     // most writes in one group commit
};

struct WebchatConfig {
  bool enabled = true;
  std::size_t max_text_bytes = 4096;
  double messages_per_second = 1.0;  // sustained frames per socket
  unsigned burst = 10;               // frames allowed at once before the rate applies
  std::size_t max_sessions = 4096;
  milliseconds idle_timeout{300'000};        // a socket with no frame and no pong is closed
  std::vector<std::string> allowed_origins;  // empty: only the server's own origin
};

struct ContentConfig {
  std::string locales_dir;  // empty: the catalogs built into the executable
};

struct LogConfig {
  std::string level = "info";    // debug, info, warn, error
  bool requests = true;          // one line per HTTP request (route, status, time)
  std::string directory;         // empty: stdout; else one file per UTC day in it
  unsigned retention_days = 14;  // daily files older than this are deleted
};

// Per-channel sending limits and retry rules (the outbox). A channel is switched on by
// its secrets (see Secrets), never by this file.
struct ChannelLimits {
  double messages_per_second = 10.0;  // token bucket rate for the channel as a whole
  unsigned burst = 10;
  double per_conversation_per_second = 0.0;  // 0: no per-chat pacing
};

struct OutboxConfig {
  ChannelLimits whatsapp{80.0, 80, 0.0};  // Cloud API default: 80 msg/s per number
  ChannelLimits telegram{30.0, 30, 1.0};  // Bot API: ~30/s overall, ~1/s per chat
  ChannelLimits kannel{10.0, 10, 0.0};    // depends on the SMSC contract
  unsigned max_attempts = 8;              // then the item is dead-lettered
  milliseconds initial_backoff{1'000};    // doubled per attempt, with jitter
  milliseconds max_backoff{600'000};
  milliseconds request_timeout{15'000};  // one provider call
  unsigned max_in_flight = 64;           // concurrent provider calls
  unsigned sms_max_segments = 3;         // longer texts become several SMS
  // After a restart, an item whose send was cut off waits this long for a status
  // callback carrying its reference before it is sent again (WhatsApp, Kannel).
  milliseconds inflight_grace{60'000};
};

// How long personal data is kept (docs/privacy.md), enforced by a job inside `serve`.
struct RetentionConfig {
  unsigned message_days = 90;         // message texts, sent replies, half-filled forms; 0: at once
  unsigned contact_idle_days = 365;   // a reply address after the person's last message
  unsigned report_days = 365;         // a report's description, photo, address, reporter link
                                      // after its case closed
  unsigned photo_days = 365;          // a report's stored photo after the report was made
  unsigned case_anonymise_years = 5;  // a closed case loses address, coordinates, notes
  milliseconds interval{3'600'000};   // between runs (sooner while a run finds more)
  std::size_t batch_rows = 5000;      // most rows of each kind per run
};

// The notification API (POST /api/v1/notifications). A WhatsApp recipient whose last
// message is older than 24 hours can only get an approved template: each notification
// template key (locales/notifications) maps to one, with its WhatsApp language code per
// Buurtlijn language and the order of its body parameters.
struct WhatsappTemplate {
  std::string name;
  std::map<std::string, std::string, std::less<>> languages;  // "ro" -> "ro", "en" -> "en_US"
  std::vector<std::string> parameters;                        // template argument names, in order
  bool operator==(const WhatsappTemplate&) const = default;
};

struct NotificationsConfig {
  std::map<std::string, WhatsappTemplate, std::less<>> whatsapp_templates;
  std::size_t max_recipients = 100'000;  // a larger segment is refused (422)
};

// Secrets and provider endpoints come from the environment only (see load_secrets).
struct Secrets {
  std::string pseudonym_key;  // keyed hash for subject ids; generated when absent

  std::string whatsapp_app_secret;       // BUURTLIJN_WHATSAPP_APP_SECRET
  std::string whatsapp_verify_token;     // BUURTLIJN_WHATSAPP_VERIFY_TOKEN
  std::string whatsapp_token;            // BUURTLIJN_WHATSAPP_TOKEN
  std::string whatsapp_phone_number_id;  // BUURTLIJN_WHATSAPP_PHONE_NUMBER_ID
  std::string whatsapp_api_base;         // BUURTLIJN_WHATSAPP_API_BASE (tests: a local fake)

  std::string telegram_token;     // BUURTLIJN_TELEGRAM_TOKEN
  std::string telegram_secret;    // BUURTLIJN_TELEGRAM_SECRET
  std::string telegram_api_base;  // BUURTLIJN_TELEGRAM_API_BASE

  std::string kannel_sendsms_url;  // BUURTLIJN_KANNEL_SENDSMS_URL
  std::string kannel_username;     // BUURTLIJN_KANNEL_USERNAME
  std::string kannel_password;     // BUURTLIJN_KANNEL_PASSWORD
  std::string kannel_sender;       // BUURTLIJN_KANNEL_SENDER
  std::string kannel_secret;       // BUURTLIJN_KANNEL_SECRET (protects both callbacks)
  std::string kannel_dlr_url;      // BUURTLIJN_KANNEL_DLR_URL: our public DLR callback

  bool whatsapp_enabled() const {
    return !whatsapp_app_secret.empty() && !whatsapp_verify_token.empty() &&
           !whatsapp_token.empty() && !whatsapp_phone_number_id.empty();
  }
  bool telegram_enabled() const { return !telegram_token.empty() && !telegram_secret.empty(); }
  bool kannel_enabled() const { return !kannel_sendsms_url.empty() && !kannel_secret.empty(); }
};

struct Config {
  ServerConfig server;
  StoreConfig store;
  WebchatConfig webchat;
  ContentConfig content;
  LogConfig log;
  OutboxConfig outbox;
  RetentionConfig retention;
  NotificationsConfig notifications;
  cases::CasesSettings cases;  // sections "cases" and "open311": gateway/cases_config.hpp
  Open311Config open311;
  ForwardingConfig forwarding;  // cases.forwarders, cases.public_base_url
  MediaConfig media;            // report photos: gateway/media_config.hpp
  Secrets secrets;
};

// A refusal names the exact key and the reason, e.g.
// "server.port: must be between 0 and 65535 (got 70000)".
struct ConfigError {
  std::string key;  // dotted path, or the environment variable, or "file"
  std::string reason;
  std::string describe() const { return key.empty() ? reason : key + ": " + reason; }
};

// Reads an environment variable; injected so tests do not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup process_environment();

// Parses YAML text over the defaults. Unknown keys, wrong types and out-of-range values
// are refused. An empty text gives the defaults.
tl::expected<Config, ConfigError> parse_config(std::string_view yaml_text);

// Reads the file (boundary: does I/O) and parses it.
tl::expected<Config, ConfigError> load_config_file(const std::string& path);

// Fills `config.secrets` from the environment: BUURTLIJN_<NAME> or BUURTLIJN_<NAME>_FILE
// (a file that is not readable by others only). Refuses both set at once.
tl::expected<void, ConfigError> load_secrets(Config& config, const EnvLookup& env);

// "HOST:PORT" or "[v6]:PORT".
tl::expected<void, ConfigError> apply_listen(ServerConfig& server, std::string_view listen);

}  // namespace buurtlijn::gateway
