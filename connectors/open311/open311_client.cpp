// See open311_client.hpp.
#include "connectors/open311/open311_client.hpp"

#include <array>
#include <boost/json.hpp>
#include <cstdio>

namespace buurtlijn::connectors::open311 {

namespace {

std::string coordinate(double value) {
  std::array<char, 32> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.6f", value);
  return buffer.data();
}

// The id as text, whether the remote system sends it as a string or a number.
std::string id_text(const boost::json::value& value) {
  if (value.is_string()) return std::string(value.as_string());
  if (value.is_int64()) return std::to_string(value.as_int64());
  if (value.is_uint64()) return std::to_string(value.as_uint64());
  return {};
}

std::string remote_description(std::string_view body) {
  boost::system::error_code error;
  const boost::json::value parsed = boost::json::parse(body, error);
  if (!error && parsed.is_array() && !parsed.as_array().empty() &&
      parsed.as_array()[0].is_object()) {
    const auto& object = parsed.as_array()[0].as_object();
    if (const auto* description = object.if_contains("description");
        description != nullptr && description->is_string()) {
      return std::string(std::string_view(description->as_string()).substr(0, 200));
    }
  }
  return {};
}

}  // namespace

std::string form_encode(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[u >> 4U];
      out += kHex[u & 15U];
    }
  }
  return out;
}

HttpCall render_post(const OutgoingRequest& request, const ClientSettings& settings) {
  std::string body;
  const auto field = [&body](std::string_view name, std::string_view value) {
    if (!body.empty()) body += '&';
    body += form_encode(name);
    body += '=';
    body += form_encode(value);
  };
  field("api_key", settings.api_key);
  if (!settings.jurisdiction_id.empty()) field("jurisdiction_id", settings.jurisdiction_id);
  field("service_code", settings.service_code);
  if (request.lat && request.lon) {
    field("lat", coordinate(*request.lat));
    field("long", coordinate(*request.lon));
  }
  if (!request.address_string.empty()) field("address_string", request.address_string);
  if (!request.description.empty()) field("description", request.description);
  if (!request.lang.empty()) field("lang", request.lang);
  for (const auto& [code, value] : request.attributes) field("attribute[" + code + "]", value);
  std::string url = settings.endpoint;
  if (url.empty() || url.back() != '/') url += '/';
  url += "requests.json";
  return HttpCall{
      "POST",
      std::move(url),
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}},
      std::move(body)};
}

SendOutcome classify_post_response(const ProviderResponse& response) {
  SendOutcome outcome;
  if (response.status == 200 || response.status == 201) {
    boost::system::error_code error;
    const boost::json::value parsed = boost::json::parse(response.body, error);
    const boost::json::object* first = nullptr;
    if (!error && parsed.is_array() && !parsed.as_array().empty() &&
        parsed.as_array()[0].is_object()) {
      first = &parsed.as_array()[0].as_object();
    } else if (!error && parsed.is_object()) {
      first = &parsed.as_object();
    }
    if (first != nullptr) {
      for (const char* key : {"service_request_id", "token"}) {
        if (const auto* value = first->if_contains(key)) {
          std::string id = id_text(*value);
          if (!id.empty()) {
            outcome.kind = SendOutcome::Kind::sent;
            outcome.provider_message_id = std::move(id);
            return outcome;
          }
        }
      }
    }
    // Accepted or not: we cannot tell. Sending again may make a duplicate remotely, but
    // losing the case is worse; the item is retried and dead-lettered after max_attempts.
    outcome.kind = SendOutcome::Kind::retry;
    outcome.reason = "open311: answer without service_request_id";
    return outcome;
  }
  if (response.status == 429) {
    outcome.kind = SendOutcome::Kind::throttled;
    outcome.retry_after = response.retry_after_header.value_or(std::chrono::seconds(60));
    outcome.reason = "open311: 429";
    return outcome;
  }
  if (response.status >= 400 && response.status < 500) {
    outcome.kind = SendOutcome::Kind::permanent;
    outcome.reason =
        "open311: " + std::to_string(response.status) + " " + remote_description(response.body);
    return outcome;
  }
  outcome.kind = SendOutcome::Kind::retry;
  outcome.reason = "open311: " + std::to_string(response.status);
  return outcome;
}

}  // namespace buurtlijn::connectors::open311
