// See provider_media.hpp.
#include "connectors/media/provider_media.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <cctype>

namespace buurtlijn::connectors::media {
namespace {

namespace json = boost::json;

tl::unexpected<LookupFailure> failure(bool transient, std::string reason) {
  return tl::unexpected(LookupFailure{transient, std::move(reason)});
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::uint64_t> size_of(const json::value* value) {
  if (value == nullptr) return std::nullopt;
  if (value->is_int64() && value->as_int64() >= 0) {
    return static_cast<std::uint64_t>(value->as_int64());
  }
  if (value->is_uint64()) return value->as_uint64();
  return std::nullopt;
}

// A failed HTTP answer: transient for 5xx, 429 and WhatsApp's throttling and media codes.
LookupFailure failed_answer(const ProviderResponse& response) {
  LookupFailure result;
  result.transient = response.status >= 500 || response.status == 429;
  result.reason = "lookup answered " + std::to_string(response.status);
  json::error_code error;
  const json::value parsed = json::parse(response.body, error);
  if (!error && parsed.is_object()) {
    if (const json::value* err = parsed.as_object().if_contains("error");
        err != nullptr && err->is_object()) {
      if (const json::value* code = err->as_object().if_contains("code");
          code != nullptr && code->is_int64()) {
        const std::int64_t value = code->as_int64();
        result.reason += " (code " + std::to_string(value) + ")";
        for (const std::int64_t transient : {4, 80007, 130429, 131048, 131053, 131056, 133016}) {
          if (value == transient) result.transient = true;
        }
      }
    }
    if (const json::value* description = parsed.as_object().if_contains("description");
        description != nullptr && description->is_string()) {
      result.reason += " (" + std::string(description->as_string().subview().substr(0, 80)) + ")";
    }
  }
  return result;
}

bool safe_file_path(std::string_view path) {
  if (path.empty() || path.size() > 512 || path.front() == '/') return false;
  if (path.find("..") != std::string_view::npos || path.find("//") != std::string_view::npos) {
    return false;
  }
  for (const char c : path) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool is_loopback_host(std::string_view host) {
  return host == "127.0.0.1" || host == "[::1]" || host == "::1" || host == "localhost";
}

}  // namespace

connectors::HttpCall whatsapp_lookup_call(const whatsapp::Settings& settings,
                                          std::string_view media_id) {
  connectors::HttpCall call;
  call.method = "GET";
  call.url = settings.api_base + "/" + settings.api_version + "/" +
             std::string(boost::urls::encode(media_id, boost::urls::unreserved_chars));
  call.headers.emplace_back("Authorization", "Bearer " + settings.access_token);
  return call;
}

tl::expected<MediaLocation, LookupFailure> parse_whatsapp_lookup(const ProviderResponse& response) {
  if (response.status < 200 || response.status >= 300) {
    return tl::unexpected(failed_answer(response));
  }
  json::error_code error;
  const json::value parsed = json::parse(response.body, error);
  if (error || !parsed.is_object()) return failure(false, "lookup answer is not a JSON object");
  const json::object& object = parsed.as_object();
  const json::value* url = object.if_contains("url");
  if (url == nullptr || !url->is_string() || url->as_string().empty()) {
    return failure(false, "lookup answer has no url");
  }
  MediaLocation location;
  location.url = std::string(url->as_string());
  location.file_size = size_of(object.if_contains("file_size"));
  return location;
}

connectors::HttpCall whatsapp_download_call(const whatsapp::Settings& settings,
                                            std::string_view url) {
  connectors::HttpCall call;
  call.method = "GET";
  call.url = std::string(url);
  call.headers.emplace_back("Authorization", "Bearer " + settings.access_token);
  return call;
}

connectors::HttpCall telegram_lookup_call(const telegram::Settings& settings,
                                          std::string_view file_id) {
  connectors::HttpCall call;
  call.method = "GET";
  call.url = settings.api_base + "/bot" + settings.bot_token + "/getFile?file_id=" +
             std::string(boost::urls::encode(file_id, boost::urls::unreserved_chars));
  return call;
}

tl::expected<MediaLocation, LookupFailure> parse_telegram_lookup(const telegram::Settings& settings,
                                                                 const ProviderResponse& response) {
  if (response.status < 200 || response.status >= 300) {
    return tl::unexpected(failed_answer(response));
  }
  json::error_code error;
  const json::value parsed = json::parse(response.body, error);
  if (error || !parsed.is_object()) return failure(false, "getFile answer is not a JSON object");
  const json::object& object = parsed.as_object();
  const json::value* ok = object.if_contains("ok");
  const json::value* result = object.if_contains("result");
  if (ok == nullptr || !ok->is_bool() || !ok->as_bool() || result == nullptr ||
      !result->is_object()) {
    return failure(false, "getFile answer is not ok");
  }
  const json::value* path = result->as_object().if_contains("file_path");
  if (path == nullptr || !path->is_string()) {
    return failure(false, "getFile answer has no file_path");
  }
  const std::string_view file_path = path->as_string();
  if (!safe_file_path(file_path)) return failure(false, "getFile answer has an unsafe file_path");
  MediaLocation location;
  location.url =
      settings.api_base + "/file/bot" + settings.bot_token + "/" + std::string(file_path);
  location.file_size = size_of(result->as_object().if_contains("file_size"));
  return location;
}

connectors::HttpCall telegram_download_call(std::string_view url) {
  connectors::HttpCall call;
  call.method = "GET";
  call.url = std::string(url);
  return call;
}

std::optional<std::string> refuse_url(std::string_view url, const UrlPolicy& policy) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return "the media URL does not parse";
  const std::string scheme = lower(parsed->scheme());
  if (parsed->has_userinfo()) return "the media URL carries user information";
  const std::string host = lower(parsed->encoded_host());
  if (host.empty()) return "the media URL has no host";
  if (scheme == "http") {
    if (!policy.allow_loopback_http || !is_loopback_host(host)) {
      return "the media URL is not https";
    }
  } else if (scheme != "https") {
    return "the media URL is not https";
  }
  for (const std::string& allowed : policy.allowed_hosts) {
    if (lower(allowed) == host) return std::nullopt;
  }
  return "the media URL's host is not allowed";
}

bool is_loopback_http_base(std::string_view base) {
  auto parsed = boost::urls::parse_absolute_uri(base);
  if (!parsed || lower(parsed->scheme()) != "http") return false;
  return is_loopback_host(lower(parsed->encoded_host()));
}

}  // namespace buurtlijn::connectors::media
