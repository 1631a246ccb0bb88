// Forwarders per team (issue 5): the `cases.forwarders` list and `cases.public_base_url`
// of the configuration file, and their secrets from the environment.
//
//   cases:
//     public_base_url: https://buurtlijn.deventer.nl
//     forwarders:
//       - team: waste
//         email: {to: [afval@deventer.nl], from: "Buurtlijn <buurtlijn@deventer.nl>",
//                 smtp_url: "smtp://127.0.0.1:2525", smtp_username: buurtlijn,
//                 include_contact: false}
//       - team: rental
//         open311: {endpoint: "https://signalen.example/open311/v2", service_code: kamers,
//                   jurisdiction_id: deventer.nl}
//
// Secrets, per team (TEAM upper-cased, non-alphanumerics as '_'), either the variable or
// <variable>_FILE (a file not readable by group or others), as for the other secrets:
// BUURTLIJN_FORWARD_<TEAM>_SMTP_PASSWORD and BUURTLIJN_FORWARD_<TEAM>_OPEN311_API_KEY.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <tl/expected.hpp>
#include <vector>

namespace YAML {
class Node;
}

namespace buurtlijn::gateway {

struct ConfigError;

struct EmailForwarder {
  std::vector<std::string> to;
  std::string from;
  std::string smtp_url;  // smtp://host:port or smtps://host:port
  std::string smtp_username;
  std::string smtp_password;  // environment only
  bool include_contact = false;
  std::string language = "nl";  // of the summary's labels: nl or en (locales/forward/)
};

struct Open311Forwarder {
  std::string endpoint;
  std::string service_code;
  std::string jurisdiction_id;
  std::string api_key;  // environment only
};

struct Forwarder {
  std::string team;
  std::optional<EmailForwarder> email;
  std::optional<Open311Forwarder> open311;
};

struct ForwardingConfig {
  std::string public_base_url;  // for links to the console; empty: links are left out
  std::vector<Forwarder> forwarders;

  const Forwarder* for_team(std::string_view team) const;
};

// Takes `public_base_url` and `forwarders` out of the `cases` section node (so that the
// rest goes to parse_cases_section) and parses them into `forwarding`.
tl::expected<void, ConfigError> take_forwarding_settings(YAML::Node cases_section,
                                                         ForwardingConfig& forwarding);

// BUURTLIJN_FORWARD_<TEAM>_<what>, e.g. ("rental", "OPEN311_API_KEY").
std::string forwarder_secret_name(std::string_view team, std::string_view what);

// Fills the passwords and api_keys from the environment (same rules as load_secrets).
// A forwarder whose secret is missing is kept: Open311 without a key is refused when
// its items are sent (permanent failure, logged), SMTP without a password sends
// without authentication.
tl::expected<void, ConfigError> load_forwarder_secrets(
    ForwardingConfig& forwarding,
    const std::function<std::optional<std::string>(std::string_view)>& env);

}  // namespace buurtlijn::gateway
