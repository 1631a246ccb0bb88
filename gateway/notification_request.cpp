// See notification_request.hpp.
#include "gateway/notification_request.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace buurtlijn::gateway {
namespace json = boost::json;

namespace {

tl::unexpected<RequestProblem> problem(std::string error, std::string message,
                                       unsigned status = 400) {
  return tl::unexpected(RequestProblem{status, std::move(error), std::move(message)});
}

}  // namespace

std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char a = authorization[i];
    const char b = kScheme[i];
    if ((a | 0x20) != (b | 0x20)) return {};
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

tl::expected<NotificationRequest, RequestProblem> parse_notification_request(
    std::string_view body, const dialogs::NotificationCatalog& catalog) {
  json::parse_options options;
  options.max_depth = 8;
  std::error_code error;
  const json::value parsed = json::parse(body, error, {}, options);
  if (error) return problem("malformed_json", "the body is not valid JSON: " + error.message());
  if (!parsed.is_object()) return problem("malformed_json", "the body must be a JSON object");
  const json::object& root = parsed.get_object();
  for (const auto& member : root) {
    const std::string_view key = member.key();
    if (key != "template" && key != "params" && key != "subject" && key != "segment") {
      return problem("unknown_field", "unknown field \"" + std::string(key) + "\"");
    }
  }
  NotificationRequest request;
  const json::value* template_value = root.if_contains("template");
  if (template_value == nullptr || !template_value->is_string() ||
      template_value->get_string().empty()) {
    return problem("missing_template", "\"template\" must be a template key (a string)");
  }
  request.template_key = std::string(template_value->get_string());
  const std::vector<std::string>* arguments = catalog.template_arguments(request.template_key);
  if (arguments == nullptr) {
    return problem("unknown_template", "unknown template \"" + request.template_key + "\"");
  }
  if (const json::value* params = root.if_contains("params"); params != nullptr) {
    if (!params->is_object()) return problem("invalid_params", "\"params\" must be an object");
    for (const auto& member : params->get_object()) {
      const std::string name(member.key());
      if (std::find(arguments->begin(), arguments->end(), name) == arguments->end()) {
        return problem("unknown_parameter", "template \"" + request.template_key +
                                                "\" has no parameter \"" + name + "\"");
      }
      if (member.value().is_string()) {
        request.params[name] = std::string(member.value().get_string());
      } else if (member.value().is_int64() || member.value().is_uint64()) {
        request.params[name] = json::serialize(member.value());
      } else {
        return problem("invalid_parameter", "parameter \"" + name + "\" must be a string");
      }
    }
  }
  for (const std::string& name : *arguments) {
    if (request.params.find(name) == request.params.end()) {
      return problem("missing_parameter", "template \"" + request.template_key +
                                              "\" needs the parameter \"" + name + "\"");
    }
  }
  const json::value* subject = root.if_contains("subject");
  const json::value* segment = root.if_contains("segment");
  if ((subject == nullptr) == (segment == nullptr)) {
    return problem("missing_target", "give either \"subject\" or \"segment\", not both");
  }
  if (subject != nullptr) {
    if (!subject->is_string() || subject->get_string().empty()) {
      return problem("invalid_subject", "\"subject\" must be a subject pseudonym (a string)");
    }
    request.target.subject_pseudonym = std::string(subject->get_string());
    request.target_json = json::serialize(json::object{{"subject", "(one subject)"}});
    return request;
  }
  if (!segment->is_object()) return problem("invalid_segment", "\"segment\" must be an object");
  for (const auto& member : segment->get_object()) {
    const std::string name(member.key());
    if (name != "language" && name != "area" && name != "channel" && name != "topic") {
      return problem("invalid_segment", "unknown segment field \"" + name + "\"");
    }
    if (!member.value().is_string()) {
      return problem("invalid_segment", "segment field \"" + name + "\" must be a string");
    }
    std::string value(member.value().get_string());
    if (name == "language") {
      request.target.language = std::move(value);
    } else if (name == "area") {
      request.target.area = std::move(value);
    } else if (name == "channel") {
      request.target.channel = std::move(value);
    } else {
      request.target.topic = std::move(value);
    }
  }
  if (auto refused = check_segment(request.target, catalog)) return tl::unexpected(*refused);
  request.target_json = segment_json(request.target);
  return request;
}

std::optional<RequestProblem> check_segment(store::NotificationTarget& segment,
                                            const dialogs::NotificationCatalog& catalog) {
  if (!segment.language.empty() && !catalog.has_language(segment.language)) {
    return RequestProblem{400, "invalid_segment", "unknown language \"" + segment.language + "\""};
  }
  if (segment.channel == "sms") segment.channel = "kannel";
  if (!segment.channel.empty() &&
      std::find(std::begin(kNotificationChannels), std::end(kNotificationChannels),
                segment.channel) == std::end(kNotificationChannels)) {
    return RequestProblem{400, "invalid_segment", "unknown channel \"" + segment.channel + "\""};
  }
  if (segment.language.empty() && segment.area.empty() && segment.channel.empty() &&
      segment.topic.empty()) {
    // Everybody at once is never an accident we want to make easy.
    return RequestProblem{
        400, "empty_segment",
        "the segment names nothing: give at least one of language, area, channel, topic"};
  }
  return std::nullopt;
}

std::string segment_json(const store::NotificationTarget& segment) {
  return json::serialize(json::object{{"language", segment.language},
                                      {"area", segment.area},
                                      {"channel", segment.channel},
                                      {"topic", segment.topic}});
}

}  // namespace buurtlijn::gateway
