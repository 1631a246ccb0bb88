// The web chat's wire format: JSON text frames over the WebSocket at /webchat/ws.
// Pure functions over bytes (no I/O), so every frame shape and every refusal is tested
// without a socket. Thread-safe: no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <variant>
#include <vector>

namespace buurtlijn::connectors::webchat {

// Client -> server.
struct Hello {
  std::string token;     // resumes a conversation; empty for a new visitor
  std::string language;  // the page's choice so far; may be empty
};
struct LanguagePick {
  std::string id;  // client message id: the deduplication key
  std::string language;
};
struct TextMessage {
  std::string id;
  std::string text;
};
struct ButtonChoice {
  std::string id;
  std::string choice;  // node id of the button
  std::string label;   // label as shown, kept as the user's text
};
struct Received {
  std::vector<std::string> ids;  // server message ids ("o-17") the page has shown
};
using ClientFrame = std::variant<Hello, LanguagePick, TextMessage, ButtonChoice, Received>;

// Why a frame was refused; `code` goes to the client verbatim.
struct FrameError {
  std::string code;     // invalid_frame, invalid_utf8, too_long
  std::string message;  // English, for developers; the page shows its own localised text
  std::string id;       // the client message id when it could be read
};

struct FrameLimits {
  std::size_t max_text_bytes = 4096;
  std::size_t max_id_bytes = 64;
  std::size_t max_received_ids = 256;
};

// Parses one text frame. Text must be valid UTF-8 (checked here too, not only by the
// WebSocket layer), non-empty after trimming and within max_text_bytes.
tl::expected<ClientFrame, FrameError> parse_client_frame(std::string_view frame,
                                                         const FrameLimits& limits);

// Server -> client.
struct OutButton {
  std::string id;
  std::string label;
};
struct BotMessage {
  std::string id;  // "o-<outbox id>"
  std::string text;
  std::string language;
  bool right_to_left = false;
  std::vector<OutButton> buttons;
};

std::string render_ready(std::string_view token, std::string_view language, bool right_to_left);
std::string render_ack(std::string_view client_id);
std::string render_language(std::string_view language, bool right_to_left);
std::string render_error(const FrameError& error);
// The payload stored in the outbox for a web chat reply (BotMessage without its id) and
// the frame sent for it once the outbox id is known.
std::string render_outbox_payload(const BotMessage& message);
tl::expected<BotMessage, FrameError> parse_outbox_payload(std::string_view payload);
std::string render_bot_message(const BotMessage& message);

std::string outbox_message_id(long long outbox_id);  // "o-17"
tl::expected<long long, FrameError> parse_outbox_message_id(std::string_view id);

bool is_valid_utf8(std::string_view text);

}  // namespace buurtlijn::connectors::webchat
