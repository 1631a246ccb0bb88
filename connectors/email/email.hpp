// E-mail forwarding of a case to a team (issue 5, "Forwarders"): renders one RFC 5322
// message (RFC 2045 MIME headers, a UTF-8 subject as RFC 2047 encoded-words, CRLF line
// endings) with a plain-text summary of the case and a link to it in the console. The
// gateway hands the bytes to libcurl's SMTP upload, which does the dot-stuffing.
// Reporter contact details appear only when the team's configuration says so.
// Pure functions over bytes: no I/O, no clock reads (the date is passed in).
// Thread-safe: no shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace buurtlijn::connectors::email {

struct Settings {
  std::string from;             // "Buurtlijn <buurtlijn@deventer.nl>" or a bare address
  std::vector<std::string> to;  // bare addresses
  bool include_contact = false;
};

// Labels already localised by the gateway (locales/), one per line of the summary.
struct Labels {
  std::string subject;  // the whole subject, already formatted (may be non-ASCII)
  std::string category;
  std::string area;
  std::string report_number;
  std::string state;
  std::string link;
  std::string contact;
};

struct CaseSummary {
  std::int64_t case_id = 0;
  std::string category;
  std::string area;
  std::string report_number;  // the public report number
  std::string state;
  std::string case_url;  // <public_base_url>/admin/case?id=<id>
  // The reporter's channel and reply address, when known; rendered only when
  // Settings::include_contact is true.
  std::string contact;
};

// "=?UTF-8?B?...?=" encoded-words (folded with CRLF SP, each at most 75 characters,
// never splitting a UTF-8 sequence) when `text` is not printable ASCII; otherwise the
// text itself. CR and LF are dropped first (no header injection).
std::string encode_header_text(std::string_view text);

// "Sat, 28 Nov 2026 03:05:00 +0000" for ms since the epoch.
std::string format_date(std::int64_t at_ms);

// The address inside "Name <address>", or the text when it has no angle brackets.
std::string bare_address(std::string_view mailbox);

// Refuses settings without a valid From or without recipients, and addresses with CR,
// LF, spaces or no '@'.
tl::expected<void, std::string> check_settings(const Settings& settings);

// The whole message: headers, an empty line, the body; every line ends in CRLF.
// `message_id_local` becomes the left part of the Message-ID (e.g. "case-12.outbox-40").
tl::expected<std::string, std::string> render_message(const CaseSummary& summary,
                                                      const Labels& labels,
                                                      const Settings& settings,
                                                      std::int64_t date_ms,
                                                      std::string_view message_id_local);

}  // namespace buurtlijn::connectors::email
