// Parsing and rendering of web chat frames; see webchat_frames.hpp.
#include "connectors/webchat/webchat_frames.hpp"

#include <unicode/ustring.h>

#include <boost/json.hpp>
#include <charconv>

namespace buurtlijn::connectors::webchat {
namespace json = boost::json;

namespace {

FrameError invalid(std::string message, std::string id = {}) {
  return FrameError{"invalid_frame", std::move(message), std::move(id)};
}

// Reads a string member; absent is allowed when `required` is false.
tl::expected<std::string, FrameError> string_field(const json::object& object, std::string_view key,
                                                   bool required, std::size_t max_bytes) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) {
    if (required) return tl::unexpected(invalid("missing field '" + std::string(key) + "'"));
    return std::string{};
  }
  if (!value->is_string()) {
    return tl::unexpected(invalid("field '" + std::string(key) + "' must be a string"));
  }
  const json::string& text = value->get_string();
  if (text.size() > max_bytes) {
    return tl::unexpected(invalid("field '" + std::string(key) + "' is too long"));
  }
  return std::string(text);
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool is_language_code(std::string_view code) {
  if (code.size() != 2) return false;
  return code[0] >= 'a' && code[0] <= 'z' && code[1] >= 'a' && code[1] <= 'z';
}

tl::expected<std::string, FrameError> client_id(const json::object& object,
                                                const FrameLimits& limits) {
  auto id = string_field(object, "id", true, limits.max_id_bytes);
  if (id && id->empty()) return tl::unexpected(invalid("field 'id' must not be empty"));
  return id;
}

tl::expected<ClientFrame, FrameError> parse_text_message(const json::object& object,
                                                         const FrameLimits& limits) {
  auto id = client_id(object, limits);
  if (!id) return tl::unexpected(id.error());
  const json::value* text = object.if_contains("text");
  if (text == nullptr || !text->is_string()) {
    return tl::unexpected(invalid("field 'text' must be a string", *id));
  }
  const json::string& body = text->get_string();
  if (body.size() > limits.max_text_bytes) {
    return tl::unexpected(FrameError{"too_long", "text exceeds the limit", *id});
  }
  if (is_blank(body)) return tl::unexpected(invalid("text is empty", *id));
  return TextMessage{std::move(*id), std::string(body)};
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  if (text.empty()) return true;
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = 0;
  // Pre-flighting with no buffer only validates; ICU rejects overlongs and surrogates.
  u_strFromUTF8(nullptr, 0, &length, text.data(), static_cast<int32_t>(text.size()), &status);
  return status == U_BUFFER_OVERFLOW_ERROR || U_SUCCESS(status);
}

tl::expected<ClientFrame, FrameError> parse_client_frame(std::string_view frame,
                                                         const FrameLimits& limits) {
  if (!is_valid_utf8(frame)) {
    return tl::unexpected(FrameError{"invalid_utf8", "frame is not valid UTF-8", {}});
  }
  json::parse_options options;
  options.max_depth = 8;  // frames are flat; deep nesting is an attack, not a message
  std::error_code error;
  json::value parsed = json::parse(frame, error, {}, options);
  if (error || !parsed.is_object()) return tl::unexpected(invalid("frame is not a JSON object"));
  const json::object& object = parsed.get_object();
  auto type = string_field(object, "type", true, 16);
  if (!type) return tl::unexpected(type.error());

  if (*type == "hello") {
    auto token = string_field(object, "token", false, 128);
    if (!token) return tl::unexpected(token.error());
    auto language = string_field(object, "language", false, 8);
    if (!language) return tl::unexpected(language.error());
    if (!language->empty() && !is_language_code(*language)) {
      return tl::unexpected(invalid("field 'language' must be an ISO 639-1 code"));
    }
    return Hello{std::move(*token), std::move(*language)};
  }
  if (*type == "message") return parse_text_message(object, limits);
  if (*type == "language") {
    auto id = client_id(object, limits);
    if (!id) return tl::unexpected(id.error());
    auto language = string_field(object, "language", true, 8);
    if (!language || !is_language_code(*language)) {
      return tl::unexpected(invalid("field 'language' must be an ISO 639-1 code", *id));
    }
    return LanguagePick{std::move(*id), std::move(*language)};
  }
  if (*type == "choice") {
    auto id = client_id(object, limits);
    if (!id) return tl::unexpected(id.error());
    auto choice = string_field(object, "choice", true, 128);
    if (!choice || choice->empty()) {
      return tl::unexpected(invalid("field 'choice' must be a non-empty string", *id));
    }
    auto label = string_field(object, "label", false, 256);
    if (!label) return tl::unexpected(FrameError{"invalid_frame", label.error().message, *id});
    return ButtonChoice{std::move(*id), std::move(*choice), std::move(*label)};
  }
  if (*type == "received") {
    const json::value* ids = object.if_contains("ids");
    if (ids == nullptr || !ids->is_array()) {
      return tl::unexpected(invalid("field 'ids' must be an array"));
    }
    const json::array& list = ids->get_array();
    if (list.size() > limits.max_received_ids) return tl::unexpected(invalid("too many ids"));
    Received received;
    for (const json::value& id : list) {
      if (!id.is_string() || id.get_string().size() > limits.max_id_bytes) {
        return tl::unexpected(invalid("ids must be short strings"));
      }
      received.ids.emplace_back(id.get_string());
    }
    return received;
  }
  return tl::unexpected(invalid("unknown frame type"));
}

std::string render_ready(std::string_view token, std::string_view language, bool right_to_left) {
  return json::serialize(json::object{{"type", "ready"},
                                      {"token", token},
                                      {"language", language},
                                      {"dir", right_to_left ? "rtl" : "ltr"}});
}

std::string render_ack(std::string_view client_id) {
  return json::serialize(json::object{{"type", "ack"}, {"id", client_id}});
}

std::string render_language(std::string_view language, bool right_to_left) {
  return json::serialize(json::object{
      {"type", "language"}, {"language", language}, {"dir", right_to_left ? "rtl" : "ltr"}});
}

std::string render_error(const FrameError& error) {
  json::object frame{{"type", "error"}, {"code", error.code}, {"message", error.message}};
  if (!error.id.empty()) frame["id"] = error.id;
  return json::serialize(frame);
}

namespace {
json::object message_body(const BotMessage& message) {
  json::array buttons;
  for (const OutButton& button : message.buttons) {
    buttons.push_back(json::object{{"id", button.id}, {"label", button.label}});
  }
  return json::object{{"text", message.text},
                      {"lang", message.language},
                      {"dir", message.right_to_left ? "rtl" : "ltr"},
                      {"buttons", std::move(buttons)}};
}
}  // namespace

std::string render_outbox_payload(const BotMessage& message) {
  return json::serialize(message_body(message));
}

tl::expected<BotMessage, FrameError> parse_outbox_payload(std::string_view payload) {
  std::error_code error;
  json::value parsed = json::parse(payload, error);
  if (error || !parsed.is_object()) return tl::unexpected(invalid("outbox payload is not JSON"));
  const json::object& object = parsed.get_object();
  BotMessage message;
  const auto* text = object.if_contains("text");
  const auto* lang = object.if_contains("lang");
  const auto* dir = object.if_contains("dir");
  const auto* buttons = object.if_contains("buttons");
  if (text == nullptr || !text->is_string() || lang == nullptr || !lang->is_string()) {
    return tl::unexpected(invalid("outbox payload lacks text or lang"));
  }
  message.text = std::string(text->get_string());
  message.language = std::string(lang->get_string());
  message.right_to_left = dir != nullptr && dir->is_string() && dir->get_string() == "rtl";
  if (buttons != nullptr && buttons->is_array()) {
    for (const json::value& button : buttons->get_array()) {
      const auto* id = button.is_object() ? button.get_object().if_contains("id") : nullptr;
      const auto* label = button.is_object() ? button.get_object().if_contains("label") : nullptr;
      if (id == nullptr || label == nullptr || !id->is_string() || !label->is_string()) {
        return tl::unexpected(invalid("outbox payload has a malformed button"));
      }
      message.buttons.push_back(
          OutButton{std::string(id->get_string()), std::string(label->get_string())});
    }
  }
  return message;
}

std::string render_bot_message(const BotMessage& message) {
  json::object frame = message_body(message);
  frame["type"] = "message";
  frame["id"] = message.id;
  return json::serialize(frame);
}

std::string outbox_message_id(long long outbox_id) {
  return "o-" + std::to_string(outbox_id);
}

tl::expected<long long, FrameError> parse_outbox_message_id(std::string_view id) {
  if (id.size() < 3 || id.substr(0, 2) != "o-") return tl::unexpected(invalid("unknown id"));
  long long value = 0;
  const char* end = id.data() + id.size();
  auto [ptr, ec] = std::from_chars(id.data() + 2, end, value);
  if (ec != std::errc{} || ptr != end || value <= 0) return tl::unexpected(invalid("unknown id"));
  return value;
}

}  // namespace buurtlijn::connectors::webchat
