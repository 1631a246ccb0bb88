// See whatsapp.hpp. Shapes follow Meta's Cloud API reference (see ../shared/CHANNELS.md).
#include "connectors/whatsapp/whatsapp.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "connectors/json_fields.hpp"
#include "connectors/utf8_text.hpp"

namespace buurtlijn::connectors::whatsapp {
namespace json = boost::json;

namespace {

std::string hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xf]);
  }
  return out;
}

bool signature_matches(std::string_view header, std::string_view body, std::string_view secret) {
  constexpr std::string_view kPrefix = "sha256=";
  if (secret.empty() || header.substr(0, kPrefix.size()) != kPrefix) return false;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  const std::string expected = hex(digest, length);
  const std::string_view given = header.substr(kPrefix.size());
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

bool equal_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

tl::expected<Inbound, Refusal> verify_handshake(const InboundRequest& request,
                                                const Settings& settings) {
  auto url = boost::urls::parse_origin_form(request.target);
  if (!url) return refuse(Refusal::Kind::forbidden, "unparsable verification request");
  std::string mode;
  std::string token;
  std::string challenge;
  for (const auto& param : url->params()) {
    if (param.key == "hub.mode") mode = param.value;
    if (param.key == "hub.verify_token") token = param.value;
    if (param.key == "hub.challenge") challenge = param.value;
  }
  if (mode != "subscribe" || settings.verify_token.empty() ||
      !equal_secret(token, settings.verify_token) || challenge.empty()) {
    return refuse(Refusal::Kind::forbidden, "verification token mismatch");
  }
  Inbound inbound;
  inbound.reply_body = challenge;
  return inbound;
}

// One message item; nullopt for types Buurtlijn does not handle (reactions, ...).
std::optional<MessageEvent> parse_message(const json::object& item) {
  MessageEvent event;
  event.channel_message_id = string_at(item, "id");
  const std::string from = string_at(item, "from");
  const std::string user_id = string_at(item, "from_user_id");
  event.address =
      !from.empty() ? from : (user_id.empty() ? "" : std::string(kUserIdPrefix) + user_id);
  const std::string timestamp = string_at(item, "timestamp");
  event.sent_at = timestamp.empty() ? 0 : std::strtoll(timestamp.c_str(), nullptr, 10);
  if (event.channel_message_id.empty() || event.address.empty()) return std::nullopt;

  const std::string type = string_at(item, "type");
  if (type == "text") {
    const json::object* text = object_at(item, "text");
    if (text == nullptr) return std::nullopt;
    event.text = string_at(*text, "body");
  } else if (type == "interactive") {
    const json::object* interactive = object_at(item, "interactive");
    if (interactive == nullptr) return std::nullopt;
    const json::object* reply = object_at(*interactive, "button_reply");
    if (reply == nullptr) reply = object_at(*interactive, "list_reply");
    if (reply == nullptr) return std::nullopt;
    event.choice_id = string_at(*reply, "id");
    event.text = string_at(*reply, "title");
  } else if (type == "button") {  // a template's quick reply
    const json::object* button = object_at(item, "button");
    if (button == nullptr) return std::nullopt;
    event.choice_id = string_at(*button, "payload");
    event.text = string_at(*button, "text");
  } else if (type == "location") {
    const json::object* location = object_at(item, "location");
    if (location == nullptr) return std::nullopt;
    auto latitude = number_at(*location, "latitude");
    auto longitude = number_at(*location, "longitude");
    if (!latitude || !longitude) return std::nullopt;
    event.location = Location{*latitude, *longitude, string_at(*location, "name"),
                              string_at(*location, "address")};
  } else if (type == "image" || type == "audio" || type == "voice" || type == "video" ||
             type == "document") {
    const json::object* media = object_at(item, type);
    if (media == nullptr) return std::nullopt;
    event.media = MediaReference{type, string_at(*media, "id"), string_at(*media, "mime_type"),
                                 string_at(*media, "caption")};
    event.text = event.media->caption;
  } else {
    return std::nullopt;
  }
  return event;
}

std::optional<StatusEvent> parse_status(const json::object& item) {
  StatusEvent event;
  event.provider_message_id = string_at(item, "id");
  event.reference = string_at(item, "biz_opaque_callback_data");
  const std::string status = string_at(item, "status");
  if (status == "sent") {
    event.state = StatusEvent::State::sent;
  } else if (status == "delivered") {
    event.state = StatusEvent::State::delivered;
  } else if (status == "read") {
    event.state = StatusEvent::State::read;
  } else if (status == "failed") {
    event.state = StatusEvent::State::failed;
  } else {
    return std::nullopt;
  }
  if (const json::array* errors = array_at(item, "errors");
      errors != nullptr && !errors->empty() && errors->front().is_object()) {
    const json::object& error = errors->front().get_object();
    const json::value* code = error.if_contains("code");
    event.error = (code != nullptr && code->is_int64() ? std::to_string(code->get_int64()) : "") +
                  " " + string_at(error, "title");
  }
  if (event.provider_message_id.empty()) return std::nullopt;
  return event;
}

}  // namespace

tl::expected<Inbound, Refusal> parse_inbound(const InboundRequest& request,
                                             const Settings& settings) {
  if (request.method == "GET") return verify_handshake(request, settings);
  const auto signature = request.headers != nullptr ? request.headers->find("x-hub-signature-256")
                                                    : Headers::const_iterator{};
  if (request.headers == nullptr || signature == request.headers->end() ||
      !signature_matches(signature->second, request.body, settings.app_secret)) {
    return refuse(Refusal::Kind::unauthorized, "bad or missing X-Hub-Signature-256");
  }
  json::parse_options options;
  options.max_depth = 32;
  std::error_code error;
  const json::value parsed = json::parse(request.body, error, {}, options);
  if (error || !parsed.is_object()) return refuse(Refusal::Kind::malformed, "body is not JSON");
  const json::object& root = parsed.get_object();
  Inbound inbound;
  if (string_at(root, "object") != "whatsapp_business_account") return inbound;
  const json::array* entries = array_at(root, "entry");
  if (entries == nullptr) return refuse(Refusal::Kind::malformed, "no entry array");
  for (const json::value& entry : *entries) {
    if (!entry.is_object()) return refuse(Refusal::Kind::malformed, "entry is not an object");
    const json::array* changes = array_at(entry.get_object(), "changes");
    if (changes == nullptr) continue;
    for (const json::value& change : *changes) {
      if (!change.is_object() || string_at(change.get_object(), "field") != "messages") continue;
      const json::object* value = object_at(change.get_object(), "value");
      if (value == nullptr) continue;
      if (const json::array* messages = array_at(*value, "messages")) {
        for (const json::value& item : *messages) {
          if (!item.is_object()) continue;
          if (auto event = parse_message(item.get_object())) inbound.events.emplace_back(*event);
        }
      }
      if (const json::array* statuses = array_at(*value, "statuses")) {
        for (const json::value& item : *statuses) {
          if (!item.is_object()) continue;
          auto event = parse_status(item.get_object());
          if (!event) continue;
          // 131050: the person stopped marketing messages from us: an opt-out.
          if (event->state == StatusEvent::State::failed &&
              event->error.rfind(kStoppedMarketingCode, 0) == 0) {
            OptOutEvent opt_out{string_at(item.get_object(), "recipient_id"), "whatsapp_131050"};
            if (!opt_out.address.empty()) inbound.events.emplace_back(std::move(opt_out));
          }
          inbound.events.emplace_back(std::move(*event));
        }
      }
    }
  }
  return inbound;
}

namespace {

json::object envelope(std::string_view address) {
  json::object body{{"messaging_product", "whatsapp"}, {"recipient_type", "individual"}};
  if (address.substr(0, kUserIdPrefix.size()) == kUserIdPrefix) {
    body["recipient"] = address.substr(kUserIdPrefix.size());
  } else {
    body["to"] = address;
  }
  return body;
}

HttpCall call_for(const json::object& body, const Settings& settings) {
  HttpCall call;
  call.method = "POST";
  call.url =
      settings.api_base + "/" + settings.api_version + "/" + settings.phone_number_id + "/messages";
  call.headers = {{"Authorization", "Bearer " + settings.access_token},
                  {"Content-Type", "application/json"}};
  call.body = json::serialize(body);
  return call;
}

bool fits(const std::vector<Choice>& choices, std::size_t max_count, std::size_t max_title) {
  if (choices.empty() || choices.size() > max_count) return false;
  for (const Choice& choice : choices) {
    if (choice.id.empty() || code_points(choice.label) > max_title) return false;
  }
  return true;
}

}  // namespace

HttpCall render(const OutboundMessage& message, const Settings& settings) {
  if (!message.template_name.empty()) {
    HttpCall call =
        render_template(message.address, message.template_name, message.template_language,
                        message.template_parameters, settings);
    if (!message.reference.empty()) {
      json::value parsed = json::parse(call.body);
      parsed.as_object()["biz_opaque_callback_data"] = message.reference;
      call.body = json::serialize(parsed);
    }
    return call;
  }
  json::object body = envelope(message.address);
  // Echoed in every status webhook of this message: resolves an item left in flight by a
  // crash (see gateway/outbox_worker.hpp).
  if (!message.reference.empty()) body["biz_opaque_callback_data"] = message.reference;
  const bool short_body = code_points(message.text) <= kMaxInteractiveBodyChars;
  if (short_body && fits(message.choices, kMaxButtons, kMaxButtonTitleChars)) {
    json::array buttons;
    for (const Choice& choice : message.choices) {
      buttons.push_back(json::object{
          {"type", "reply"}, {"reply", json::object{{"id", choice.id}, {"title", choice.label}}}});
    }
    body["type"] = "interactive";
    body["interactive"] = json::object{{"type", "button"},
                                       {"body", json::object{{"text", message.text}}},
                                       {"action", json::object{{"buttons", std::move(buttons)}}}};
    return call_for(body, settings);
  }
  if (short_body && fits(message.choices, kMaxListRows, kMaxRowTitleChars)) {
    json::array rows;
    for (const Choice& choice : message.choices) {
      json::object row{{"id", choice.id}, {"title", choice.label}};
      if (!choice.description.empty()) {
        row["description"] = truncate_code_points(choice.description, kMaxRowDescriptionChars);
      }
      rows.push_back(std::move(row));
    }
    const std::string button = truncate_code_points(
        message.list_button.empty() ? "Menu" : message.list_button, kMaxListButtonChars);
    body["type"] = "interactive";
    body["interactive"] = json::object{
        {"type", "list"},
        {"body", json::object{{"text", message.text}}},
        {"action",
         json::object{{"button", button},
                      {"sections", json::array{json::object{{"rows", std::move(rows)}}}}}}};
    return call_for(body, settings);
  }
  const std::string text =
      message.choices.empty() ? message.text : numbered_choices(message.text, message.choices);
  body["type"] = "text";
  body["text"] =
      json::object{{"body", truncate_code_points(text, kMaxTextChars)}, {"preview_url", false}};
  return call_for(body, settings);
}

HttpCall render_template(std::string_view address, std::string_view template_name,
                         std::string_view language_code,
                         const std::vector<std::string>& body_parameters,
                         const Settings& settings) {
  json::object body = envelope(address);
  json::object template_object{
      {"name", template_name},
      {"language", json::object{{"policy", "deterministic"}, {"code", language_code}}}};
  if (!body_parameters.empty()) {
    json::array parameters;
    for (const std::string& parameter : body_parameters) {
      parameters.push_back(json::object{{"type", "text"}, {"text", parameter}});
    }
    template_object["components"] =
        json::array{json::object{{"type", "body"}, {"parameters", std::move(parameters)}}};
  }
  body["type"] = "template";
  body["template"] = std::move(template_object);
  return call_for(body, settings);
}

SendOutcome classify_response(const ProviderResponse& response) {
  SendOutcome outcome;
  std::error_code error;
  const json::value parsed = json::parse(response.body, error);
  const json::object* root = !error && parsed.is_object() ? &parsed.get_object() : nullptr;
  if (response.status >= 200 && response.status < 300) {
    if (root != nullptr) {
      if (const json::array* messages = array_at(*root, "messages");
          messages != nullptr && !messages->empty() && messages->front().is_object()) {
        outcome.provider_message_id = string_at(messages->front().get_object(), "id");
      }
    }
    outcome.kind = SendOutcome::Kind::sent;
    return outcome;
  }
  std::int64_t code = 0;
  std::string message;
  if (root != nullptr) {
    if (const json::object* err = object_at(*root, "error")) {
      if (const json::value* value = err->if_contains("code");
          value != nullptr && value->is_int64()) {
        code = value->get_int64();
      }
      message = string_at(*err, "message");
    }
  }
  outcome.reason = (code != 0 ? std::to_string(code) + ": " : "") +
                   (message.empty() ? "HTTP " + std::to_string(response.status) : message);
  static constexpr std::array<std::int64_t, 6> kThrottlingCodes = {4,      80007,  130429,
                                                                   131048, 131056, 133016};
  const bool throttling_code =
      std::find(kThrottlingCodes.begin(), kThrottlingCodes.end(), code) != kThrottlingCodes.end();
  if (throttling_code || response.status == 429) {
    outcome.kind = SendOutcome::Kind::throttled;
    outcome.retry_after = response.retry_after_header.value_or(std::chrono::seconds(60));
    return outcome;
  }
  if (code == 131053 || response.status >= 500 || response.status == 0 || root == nullptr) {
    outcome.kind = SendOutcome::Kind::retry;
    return outcome;
  }
  outcome.kind = SendOutcome::Kind::permanent;
  outcome.opted_out = code == 131050;
  return outcome;
}

}  // namespace buurtlijn::connectors::whatsapp
