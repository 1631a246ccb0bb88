// What every channel connector speaks: an inbound HTTP request in, events out; an
// outbound message in, one HTTP call out; a provider response in, an outcome out.
// Pure functions over bytes: no I/O, no clock reads, no globals, so each connector is
// tested table-driven over fixtures without a network. Thread-safe: no shared state.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <variant>
#include <vector>

namespace buurtlijn::connectors {

// Header names are lower-case.
using Headers = std::map<std::string, std::string, std::less<>>;

struct InboundRequest {
  std::string_view method;  // "GET", "POST"
  std::string_view target;  // path with query string
  const Headers* headers = nullptr;
  std::string_view body;  // raw bytes, already capped by the gateway
};

struct Location {
  double latitude = 0;
  double longitude = 0;
  std::string name;
  std::string address;
};

struct MediaReference {
  std::string kind;      // image, audio, voice, video, document, photo
  std::string media_id;  // provider's id, fetched later by the gateway
  std::string mime_type;
  std::string caption;
};

// A person wrote something. `address` is the raw reply address (phone number, chat id,
// business-scoped user id): the gateway pseudonymises it at once and stores it apart.
struct MessageEvent {
  std::string channel_message_id;  // the provider's id: deduplication key
  std::string address;
  std::string text;       // typed text, or the title of the button/list row chosen
  std::string choice_id;  // the id of the button/list row chosen, when one was
  std::optional<Location> location;
  std::optional<MediaReference> media;
  std::string language_hint;  // e.g. Telegram's language_code
  std::int64_t sent_at = 0;   // seconds since the epoch, as the provider says
  // An id the provider wants acknowledged separately (a Telegram callback query).
  std::string interaction_id;
};

// What happened to a message we sent.
struct StatusEvent {
  enum class State { sent, delivered, read, failed };
  std::string provider_message_id;
  State state = State::sent;
  std::string error;  // provider's code and title when failed
  // Our reference (OutboundMessage::reference) when the provider echoes it (WhatsApp's
  // biz_opaque_callback_data); empty otherwise. Kannel DLRs carry it as the message id.
  std::string reference;
};

// The person no longer wants messages (blocked the bot, "STOP" keyword handled later).
struct OptOutEvent {
  std::string address;
  std::string how;  // recorded with the opt-out: "blocked" (Telegram), "whatsapp_131050", ...
};

using InboundEvent = std::variant<MessageEvent, StatusEvent, OptOutEvent>;

struct Inbound {
  std::vector<InboundEvent> events;
  // For handshakes (WhatsApp verification): the exact body to answer with 200.
  std::optional<std::string> reply_body;
};

struct Refusal {
  enum class Kind {
    unauthorized,  // 401: bad or missing signature or secret
    forbidden,     // 403: a failed verification handshake
    malformed,     // 400: not the provider's format
  };
  Kind kind = Kind::malformed;
  std::string reason;  // for logs and metrics; never personal data
};

struct Choice {
  std::string id;
  std::string label;
  std::string description;  // list rows only
};

struct OutboundMessage {
  std::string address;
  std::string text;
  std::vector<Choice> choices;  // buttons or list rows, in order
  std::string language;         // ISO 639-1
  std::string list_button;      // label of the button that opens a list ("Menu")
  std::string reference;        // our id (the outbox item), echoed in delivery reports
  // WhatsApp: send this approved template instead of the text (outside the 24-hour
  // window); the text stays as what the person would have read.
  std::string template_name{};
  std::string template_language{};                 // WhatsApp's code, e.g. "en_US", "ro"
  std::vector<std::string> template_parameters{};  // body parameters in order
  // Telegram: answer this callback query (answerCallbackQuery) instead of sending text.
  std::string callback_query_id{};
};

struct HttpCall {
  std::string method;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct ProviderResponse {
  unsigned status = 0;
  std::string body;
  std::optional<std::chrono::seconds> retry_after_header;
};

struct SendOutcome {
  enum class Kind {
    sent,       // accepted; provider_message_id set when the provider gives one
    retry,      // transport or server error: try again with backoff
    throttled,  // rate limited: wait at least retry_after
    permanent,  // will never succeed: stop, keep the reason
  };
  Kind kind = Kind::sent;
  std::string provider_message_id;
  std::chrono::seconds retry_after{0};
  std::string reason;
  bool opted_out = false;  // the person blocked us: record an opt-out
};

}  // namespace buurtlijn::connectors
