// WhatsApp Business Cloud API (Meta Graph API): webhook verification and parsing, the
// outbound message shapes within WhatsApp's limits, and the classification of the
// Graph API's answers. Pure functions over bytes (see connectors/channel.hpp).
#pragma once

#include <string>
#include <vector>

#include "connectors/channel.hpp"

namespace buurtlijn::connectors::whatsapp {

struct Settings {
  std::string app_secret;       // X-Hub-Signature-256 key
  std::string verify_token;     // GET handshake token
  std::string access_token;     // Bearer token for sending
  std::string phone_number_id;  // the sending number's id
  std::string api_base = "https://graph.facebook.com";
  std::string api_version = "v21.0";
};

// WhatsApp's limits, in code points.
inline constexpr std::size_t kMaxTextChars = 4096;
inline constexpr std::size_t kMaxInteractiveBodyChars = 1024;
inline constexpr std::size_t kMaxButtons = 3;
inline constexpr std::size_t kMaxButtonTitleChars = 20;
inline constexpr std::size_t kMaxListRows = 10;
inline constexpr std::size_t kMaxRowTitleChars = 24;
inline constexpr std::size_t kMaxRowDescriptionChars = 72;
inline constexpr std::size_t kMaxListButtonChars = 20;

// Error code of "this recipient has chosen to stop receiving marketing messages from your
// business": parse_inbound adds an OptOutEvent for a failed status with it.
inline constexpr std::string_view kStoppedMarketingCode = "131050 ";

// Replies to a business-scoped user id (a sender without a phone number) go to
// "recipient" instead of "to"; such addresses carry this prefix.
inline constexpr std::string_view kUserIdPrefix = "user:";

// GET: the verification handshake (reply_body = hub.challenge, or forbidden).
// POST: the signature is checked on the raw body before anything is parsed; then every
// message and status of every entry and change. Unknown message types and fields are
// skipped (the provider retries anything but 2xx forever).
tl::expected<Inbound, Refusal> parse_inbound(const InboundRequest& request,
                                             const Settings& settings);

// Text, reply buttons (1-3 choices with short titles), a list (up to 10 rows), or text
// with numbered choices when they fit neither. A non-empty message.reference is sent as
// biz_opaque_callback_data, which WhatsApp echoes in the message's status webhooks
// (parsed into StatusEvent::reference).
HttpCall render(const OutboundMessage& message, const Settings& settings);

// An approved template, for recipients outside the 24-hour window.
HttpCall render_template(std::string_view address, std::string_view template_name,
                         std::string_view language_code,
                         const std::vector<std::string>& body_parameters, const Settings& settings);

// Throttling is recognised by error.code, not by the HTTP status alone.
SendOutcome classify_response(const ProviderResponse& response);

}  // namespace buurtlijn::connectors::whatsapp
