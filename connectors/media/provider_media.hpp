// Fetching a photo a person sent through WhatsApp or Telegram: the two provider calls
// (look the media up, then download its bytes) and what their answers mean, plus the
// check that a download URL points only at an allowed host (no SSRF through a URL in a
// provider's answer). Pure functions over bytes; the outbox worker makes the calls.
//
//  - WhatsApp Cloud API: GET {base}/{version}/{media-id} with the Bearer token answers
//    {"url","mime_type","sha256","file_size","id"}; GET that url with the same Bearer
//    token answers the bytes (host lookaside.fbsbx.com). The url is short-lived.
//  - Telegram Bot API: GET {base}/bot<token>/getFile?file_id=<id> answers
//    {"ok":true,"result":{"file_id","file_unique_id","file_size","file_path"}}; the
//    bytes are at {base}/file/bot<token>/<file_path>.
//
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "connectors/channel.hpp"
#include "connectors/telegram/telegram.hpp"
#include "connectors/whatsapp/whatsapp.hpp"

namespace buurtlijn::connectors::media {

// Where the bytes are, from the lookup's answer.
struct MediaLocation {
  std::string url;
  std::optional<std::uint64_t> file_size;  // as the provider says (checked, never trusted)
};

// What a failed provider answer means for the job.
struct LookupFailure {
  bool transient = false;  // 5xx, 429, a throttling code: try again later
  std::string reason;      // for logs; holds no token and no URL
};

connectors::HttpCall whatsapp_lookup_call(const whatsapp::Settings& settings,
                                          std::string_view media_id);
tl::expected<MediaLocation, LookupFailure> parse_whatsapp_lookup(const ProviderResponse& response);
// The download: GET `url` with the Bearer token.
connectors::HttpCall whatsapp_download_call(const whatsapp::Settings& settings,
                                            std::string_view url);

connectors::HttpCall telegram_lookup_call(const telegram::Settings& settings,
                                          std::string_view file_id);
tl::expected<MediaLocation, LookupFailure> parse_telegram_lookup(const telegram::Settings& settings,
                                                                 const ProviderResponse& response);
connectors::HttpCall telegram_download_call(std::string_view url);

// The rules a download URL must meet (per channel, from the configuration).
struct UrlPolicy {
  std::vector<std::string> allowed_hosts;  // exact host names, compared case-insensitively
  // Plain http is accepted only when this is true (the configured API base itself is
  // http on a loopback address: the tests' fake provider) and the host is a loopback
  // address; otherwise https only.
  bool allow_loopback_http = false;
};

// Empty when `url` may be fetched; otherwise why not (for logs, without the URL).
std::optional<std::string> refuse_url(std::string_view url, const UrlPolicy& policy);

// True for "http://127.0.0.1...", "http://[::1]..." and "http://localhost..." bases.
bool is_loopback_http_base(std::string_view base);

}  // namespace buurtlijn::connectors::media
