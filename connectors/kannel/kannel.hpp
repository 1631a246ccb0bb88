// SMS through Kannel: the sms-service get-url callback and delivery reports (both
// protected by a secret in the URL), sendsms calls with coding=2 and charset=UTF-8 for
// any text outside GSM-7, segment counting, and splitting a long text at sentence
// boundaries. Pure functions over bytes (see connectors/channel.hpp).
#pragma once

#include <string>
#include <vector>

#include "connectors/channel.hpp"

namespace buurtlijn::connectors::kannel {

struct Settings {
  std::string callback_secret;  // the `secret` query parameter of both callbacks
  std::string sendsms_url;      // http://host:13013/cgi-bin/sendsms
  std::string username;
  std::string password;
  std::string sender;         // "from": the short code or number
  std::string dlr_url;        // our /webhooks/kannel/dlr URL, without query string
  unsigned max_segments = 3;  // most parts one SMS may be split into
};

// GET /webhooks/kannel?secret&from&to&text&coding&charset&ts&id and
// GET /webhooks/kannel/dlr?secret&ref&type&smsc_id. Texts in other charsets (UTF-16BE
// for UCS-2) are converted to UTF-8.
tl::expected<Inbound, Refusal> parse_inbound(const InboundRequest& request,
                                             const Settings& settings);
tl::expected<Inbound, Refusal> parse_delivery_report(const InboundRequest& request,
                                                     const Settings& settings);

// One sendsms call; choices as numbered text. The text must already fit max_segments
// (see split_message).
HttpCall render(const OutboundMessage& message, const Settings& settings);

// 202 "0: Accepted..." or "3: Queued..." are sent; 503 retries; other 4xx are permanent.
SendOutcome classify_response(const ProviderResponse& response);

struct Segments {
  bool unicode = false;   // needs UCS-2 (coding=2)
  std::size_t units = 0;  // GSM-7 septets (extension characters count 2) or UTF-16 units
  std::size_t count = 0;  // SMS parts: GSM-7 160/153, UCS-2 70/67
};
Segments count_segments(std::string_view text);

// Splits text into messages of at most max_segments parts each, at sentence boundaries
// where possible, else at word boundaries, never inside a character or a grapheme.
std::vector<std::string> split_message(std::string_view text, unsigned max_segments);

}  // namespace buurtlijn::connectors::kannel
