// See outbound_payload.hpp. Boost.JSON both ways; thread-safe (no shared state).
#include "connectors/outbound_payload.hpp"

#include <boost/json.hpp>

namespace buurtlijn::connectors {
namespace json = boost::json;

namespace {

// The string member `key`, "" when absent; an error when present but not a string.
tl::expected<std::string, std::string> optional_string(const json::object& object,
                                                       std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr || value->is_null()) return std::string{};
  if (!value->is_string()) {
    return tl::unexpected("payload: \"" + std::string(key) + "\" is not a string");
  }
  return std::string(value->get_string());
}

}  // namespace

std::string encode_outbound_payload(const OutboundMessage& message) {
  json::object payload{{"text", message.text}, {"lang", message.language}};
  if (!message.choices.empty()) {
    json::array choices;
    for (const Choice& choice : message.choices) {
      json::object item{{"id", choice.id}, {"label", choice.label}};
      if (!choice.description.empty()) item["description"] = choice.description;
      choices.push_back(std::move(item));
    }
    payload["choices"] = std::move(choices);
  }
  if (!message.list_button.empty()) payload["list_button"] = message.list_button;
  if (!message.template_name.empty()) {
    json::array parameters;
    for (const std::string& parameter : message.template_parameters)
      parameters.push_back(json::string(parameter));
    payload["template"] = json::object{{"name", message.template_name},
                                       {"language", message.template_language},
                                       {"parameters", std::move(parameters)}};
  }
  if (!message.callback_query_id.empty()) payload["callback_query_id"] = message.callback_query_id;
  return json::serialize(payload);
}

tl::expected<OutboundMessage, std::string> decode_outbound_payload(std::string_view payload_json) {
  json::parse_options options;
  options.max_depth = 8;
  std::error_code error;
  const json::value parsed = json::parse(payload_json, error, {}, options);
  if (error || !parsed.is_object()) {
    return tl::unexpected(std::string("payload: not a JSON object"));
  }
  const json::object& root = parsed.get_object();
  const json::value* text = root.if_contains("text");
  if (text == nullptr || !text->is_string()) {
    return tl::unexpected(std::string("payload: \"text\" is missing or not a string"));
  }
  OutboundMessage message;
  message.text = std::string(text->get_string());
  auto language = optional_string(root, "lang");
  if (!language) return tl::unexpected(language.error());
  message.language = std::move(*language);
  auto list_button = optional_string(root, "list_button");
  if (!list_button) return tl::unexpected(list_button.error());
  message.list_button = std::move(*list_button);
  auto callback = optional_string(root, "callback_query_id");
  if (!callback) return tl::unexpected(callback.error());
  message.callback_query_id = std::move(*callback);
  if (const json::value* template_value = root.if_contains("template");
      template_value != nullptr && !template_value->is_null()) {
    if (!template_value->is_object()) {
      return tl::unexpected(std::string("payload: \"template\" is not an object"));
    }
    const json::object& t = template_value->get_object();
    auto name = optional_string(t, "name");
    auto code = optional_string(t, "language");
    if (!name) return tl::unexpected(name.error());
    if (!code) return tl::unexpected(code.error());
    if (name->empty()) return tl::unexpected(std::string("payload: the template has no name"));
    message.template_name = std::move(*name);
    message.template_language = std::move(*code);
    if (const json::value* parameters = t.if_contains("parameters"); parameters != nullptr) {
      if (!parameters->is_array()) {
        return tl::unexpected(std::string("payload: template parameters are not an array"));
      }
      for (const json::value& parameter : parameters->get_array()) {
        if (!parameter.is_string()) {
          return tl::unexpected(std::string("payload: a template parameter is not a string"));
        }
        message.template_parameters.emplace_back(parameter.get_string());
      }
    }
  }
  if (const json::value* choices = root.if_contains("choices");
      choices != nullptr && !choices->is_null()) {
    if (!choices->is_array()) {
      return tl::unexpected(std::string("payload: \"choices\" is not an array"));
    }
    for (const json::value& item : choices->get_array()) {
      if (!item.is_object()) {
        return tl::unexpected(std::string("payload: a choice is not an object"));
      }
      Choice choice;
      auto id = optional_string(item.get_object(), "id");
      auto label = optional_string(item.get_object(), "label");
      auto description = optional_string(item.get_object(), "description");
      if (!id) return tl::unexpected(id.error());
      if (!label) return tl::unexpected(label.error());
      if (!description) return tl::unexpected(description.error());
      choice.id = std::move(*id);
      choice.label = std::move(*label);
      choice.description = std::move(*description);
      message.choices.push_back(std::move(choice));
    }
  }
  return message;
}

}  // namespace buurtlijn::connectors
