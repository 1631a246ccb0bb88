// See telegram.hpp. Shapes follow the Bot API reference (see ../shared/CHANNELS.md).
#include "connectors/telegram/telegram.hpp"

#include <openssl/crypto.h>

#include <boost/json.hpp>

#include "connectors/json_fields.hpp"
#include "connectors/utf8_text.hpp"

namespace buurtlijn::connectors::telegram {
namespace json = boost::json;

namespace {

// The chat to answer in; a private chat's id is the person's id.
std::string chat_address(const json::object& message) {
  const json::object* chat = object_at(message, "chat");
  if (chat == nullptr) return {};
  auto id = integer_at(*chat, "id");
  return id ? std::to_string(*id) : std::string{};
}

std::string language_of(const json::object& holder) {
  const json::object* from = object_at(holder, "from");
  return from != nullptr ? string_at(*from, "language_code") : std::string{};
}

std::optional<MessageEvent> parse_message(const json::object& message, std::int64_t update_id) {
  MessageEvent event;
  event.channel_message_id = std::to_string(update_id);
  event.address = chat_address(message);
  event.language_hint = language_of(message);
  event.sent_at = integer_at(message, "date").value_or(0);
  if (event.address.empty()) return std::nullopt;
  event.text = string_at(message, "text");
  if (const json::object* location = object_at(message, "location")) {
    auto latitude = number_at(*location, "latitude");
    auto longitude = number_at(*location, "longitude");
    if (latitude && longitude) event.location = Location{*latitude, *longitude, {}, {}};
  }
  if (const json::value* photos = message.if_contains("photo");
      photos != nullptr && photos->is_array() && !photos->get_array().empty()) {
    // Telegram lists the sizes smallest first: keep the largest.
    const json::value& largest = photos->get_array().back();
    if (largest.is_object()) {
      event.media = MediaReference{"photo", string_at(largest.get_object(), "file_id"),
                                   "image/jpeg", string_at(message, "caption")};
      event.text = event.media->caption;
    }
  }
  if (const json::object* voice = object_at(message, "voice")) {
    event.media =
        MediaReference{"voice", string_at(*voice, "file_id"), string_at(*voice, "mime_type"), {}};
  }
  if (event.text.empty() && !event.location && !event.media) return std::nullopt;
  return event;
}

}  // namespace

tl::expected<Inbound, Refusal> parse_inbound(const InboundRequest& request,
                                             const Settings& settings) {
  const auto header = request.headers != nullptr
                          ? request.headers->find("x-telegram-bot-api-secret-token")
                          : Headers::const_iterator{};
  if (request.headers == nullptr || header == request.headers->end() ||
      settings.secret_token.empty() || header->second.size() != settings.secret_token.size() ||
      CRYPTO_memcmp(header->second.data(), settings.secret_token.data(),
                    settings.secret_token.size()) != 0) {
    return refuse(Refusal::Kind::unauthorized, "bad or missing secret token");
  }
  json::parse_options options;
  options.max_depth = 32;
  std::error_code error;
  const json::value parsed = json::parse(request.body, error, {}, options);
  if (error || !parsed.is_object()) return refuse(Refusal::Kind::malformed, "body is not JSON");
  const json::object& update = parsed.get_object();
  auto update_id = integer_at(update, "update_id");
  if (!update_id) return refuse(Refusal::Kind::malformed, "no update_id");

  Inbound inbound;
  if (const json::object* message = object_at(update, "message")) {
    if (auto event = parse_message(*message, *update_id)) inbound.events.emplace_back(*event);
  } else if (const json::object* callback = object_at(update, "callback_query")) {
    MessageEvent event;
    event.channel_message_id = std::to_string(*update_id);
    event.interaction_id = string_at(*callback, "id");
    event.choice_id = string_at(*callback, "data");
    event.text = event.choice_id;
    event.language_hint = language_of(*callback);
    if (const json::object* message = object_at(*callback, "message")) {
      event.address = chat_address(*message);
    }
    if (event.address.empty()) {  // an inline-mode callback: answer it, nothing else
      if (const json::object* from = object_at(*callback, "from")) {
        if (auto id = integer_at(*from, "id")) event.address = std::to_string(*id);
      }
    }
    if (!event.address.empty() && !event.choice_id.empty()) inbound.events.emplace_back(event);
  } else if (const json::object* member = object_at(update, "my_chat_member")) {
    const json::object* now = object_at(*member, "new_chat_member");
    if (now != nullptr && string_at(*now, "status") == "kicked") {
      OptOutEvent opt_out;
      opt_out.address = chat_address(*member);
      opt_out.how = "blocked";
      if (!opt_out.address.empty()) inbound.events.emplace_back(opt_out);
    }
  }
  return inbound;
}

HttpCall render(const OutboundMessage& message, const Settings& settings) {
  if (!message.callback_query_id.empty()) {
    return render_answer_callback(message.callback_query_id, settings);
  }
  bool keyboard = !message.choices.empty();
  for (const Choice& choice : message.choices) {
    if (choice.id.empty() || choice.id.size() > kMaxCallbackDataBytes) keyboard = false;
  }
  json::object body{{"chat_id", message.address}};
  if (keyboard) {
    json::array rows;
    for (const Choice& choice : message.choices) {
      rows.push_back(
          json::array{json::object{{"text", choice.label}, {"callback_data", choice.id}}});
    }
    body["text"] = truncate_code_points(message.text, kMaxTextChars);
    body["reply_markup"] = json::object{{"inline_keyboard", std::move(rows)}};
  } else {
    body["text"] =
        truncate_code_points(numbered_choices(message.text, message.choices), kMaxTextChars);
  }
  HttpCall call;
  call.method = "POST";
  call.url = settings.api_base + "/bot" + settings.bot_token + "/sendMessage";
  call.headers = {{"Content-Type", "application/json"}};
  call.body = json::serialize(body);
  return call;
}

HttpCall render_answer_callback(std::string_view callback_query_id, const Settings& settings) {
  HttpCall call;
  call.method = "POST";
  call.url = settings.api_base + "/bot" + settings.bot_token + "/answerCallbackQuery";
  call.headers = {{"Content-Type", "application/json"}};
  call.body = json::serialize(json::object{{"callback_query_id", callback_query_id}});
  return call;
}

SendOutcome classify_response(const ProviderResponse& response) {
  SendOutcome outcome;
  std::error_code error;
  const json::value parsed = json::parse(response.body, error);
  const json::object* root = !error && parsed.is_object() ? &parsed.get_object() : nullptr;
  const json::value* ok = root != nullptr ? root->if_contains("ok") : nullptr;
  if (response.status == 200 && ok != nullptr && ok->is_bool() && ok->get_bool()) {
    if (const json::object* result = object_at(*root, "result")) {
      if (auto id = integer_at(*result, "message_id"))
        outcome.provider_message_id = std::to_string(*id);
    }
    outcome.kind = SendOutcome::Kind::sent;
    return outcome;
  }
  const std::string description = root != nullptr ? string_at(*root, "description") : std::string{};
  outcome.reason = description.empty() ? "HTTP " + std::to_string(response.status) : description;
  if (response.status == 429) {
    outcome.kind = SendOutcome::Kind::throttled;
    std::int64_t seconds = 0;
    if (root != nullptr) {
      if (const json::object* parameters = object_at(*root, "parameters")) {
        seconds = integer_at(*parameters, "retry_after").value_or(0);
      }
    }
    outcome.retry_after = seconds > 0
                              ? std::chrono::seconds(seconds)
                              : response.retry_after_header.value_or(std::chrono::seconds(1));
    return outcome;
  }
  if (response.status == 0 || response.status >= 500 || root == nullptr) {
    outcome.kind = SendOutcome::Kind::retry;
    return outcome;
  }
  outcome.kind = SendOutcome::Kind::permanent;
  // "Forbidden: bot was blocked by the user", "...user is deactivated": they are gone.
  outcome.opted_out = response.status == 403;
  return outcome;
}

}  // namespace buurtlijn::connectors::telegram
