// See email.hpp.
#include "connectors/email/email.hpp"

#include <array>
#include <chrono>
#include <cstdio>

namespace buurtlijn::connectors::email {

namespace {

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (std::uint32_t(std::uint8_t(bytes[i])) << 16U) |
                   (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8U) |
                   std::uint32_t(std::uint8_t(bytes[i + 2]));
    out += kBase64[(n >> 18U) & 63U];
    out += kBase64[(n >> 12U) & 63U];
    out += kBase64[(n >> 6U) & 63U];
    out += kBase64[n & 63U];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16U;
    if (rest == 2) n |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8U;
    out += kBase64[(n >> 18U) & 63U];
    out += kBase64[(n >> 12U) & 63U];
    out += rest == 2 ? kBase64[(n >> 6U) & 63U] : '=';
    out += '=';
  }
  return out;
}

std::string without_line_breaks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\r' || c == '\n') continue;
    out += c;
  }
  return out;
}

bool printable_ascii(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) return false;
  }
  // "=?" would read as the start of an encoded-word.
  return text.find("=?") == std::string_view::npos;
}

// Length of the UTF-8 sequence starting with `lead` (1 for stray bytes).
std::size_t sequence_length(unsigned char lead) {
  if (lead >= 0xf0) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

bool valid_address(std::string_view address) {
  if (address.empty() || address.size() > 254) return false;
  const auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  for (const char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == ',' || c == ';') return false;
  }
  return true;
}

// Text lines for the body: the line breaks of a value become spaces.
std::string line_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
  return out;
}

}  // namespace

std::string encode_header_text(std::string_view text) {
  const std::string clean = without_line_breaks(text);
  if (printable_ascii(clean)) return clean;
  // 75 - len("=?UTF-8?B??=") = 63 base64 characters: at most 45 bytes per word.
  constexpr std::size_t kMaxBytes = 45;
  std::string out;
  std::size_t start = 0;
  while (start < clean.size()) {
    std::size_t end = start;
    while (end < clean.size()) {
      const std::size_t length = sequence_length(static_cast<unsigned char>(clean[end]));
      if (end + length - start > kMaxBytes) break;
      end = std::min(clean.size(), end + length);
    }
    if (end == start) end = std::min(clean.size(), start + kMaxBytes);
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?";
    out += base64(std::string_view(clean).substr(start, end - start));
    out += "?=";
    start = end;
  }
  return out;
}

std::string format_date(std::int64_t at_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> at{milliseconds(at_ms)};
  const sys_days day = floor<days>(at);
  const year_month_day date{day};
  const weekday week_day{day};
  const hh_mm_ss time{floor<seconds>(at - day)};
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::array<char, 48> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%s, %02u %s %04d %02ld:%02ld:%02ld +0000",
                kDays[week_day.c_encoding()], static_cast<unsigned>(date.day()),
                kMonths[static_cast<unsigned>(date.month()) - 1], static_cast<int>(date.year()),
                static_cast<long>(time.hours().count()), static_cast<long>(time.minutes().count()),
                static_cast<long>(time.seconds().count()));
  return buffer.data();
}

std::string bare_address(std::string_view mailbox) {
  const auto open = mailbox.rfind('<');
  const auto close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
    return std::string(mailbox.substr(open + 1, close - open - 1));
  }
  return std::string(mailbox);
}

tl::expected<void, std::string> check_settings(const Settings& settings) {
  if (settings.from.find_first_of("\r\n") != std::string::npos ||
      !valid_address(bare_address(settings.from))) {
    return tl::unexpected(std::string("the e-mail from address is not valid"));
  }
  if (settings.to.empty()) return tl::unexpected(std::string("the e-mail has no recipients"));
  for (const std::string& to : settings.to) {
    if (!valid_address(to)) {
      return tl::unexpected(std::string("an e-mail recipient address is not valid"));
    }
  }
  return {};
}

tl::expected<std::string, std::string> render_message(const CaseSummary& summary,
                                                      const Labels& labels,
                                                      const Settings& settings,
                                                      std::int64_t date_ms,
                                                      std::string_view message_id_local) {
  if (auto checked = check_settings(settings); !checked) return tl::unexpected(checked.error());
  const std::string from = bare_address(settings.from);
  const std::string domain = from.substr(from.find('@') + 1);
  std::string to;
  for (const std::string& address : settings.to) {
    if (!to.empty()) to += ",\r\n ";
    to += address;
  }
  std::string message;
  const auto header = [&message](std::string_view name, std::string_view value) {
    message.append(name).append(": ").append(value).append("\r\n");
  };
  // A display name is sent as an encoded-word when it is not plain ASCII.
  const auto open = settings.from.rfind('<');
  if (open != std::string::npos && open > 0) {
    std::string name = settings.from.substr(0, open);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    header("From", encode_header_text(name) + " <" + from + ">");
  } else {
    header("From", from);
  }
  header("To", to);
  header("Subject", encode_header_text(labels.subject));
  header("Date", format_date(date_ms));
  header("Message-ID", "<" + without_line_breaks(message_id_local) + "@" + domain + ">");
  header("MIME-Version", "1.0");
  header("Content-Type", "text/plain; charset=UTF-8");
  header("Content-Transfer-Encoding", "8bit");
  header("Auto-Submitted", "auto-generated");
  message += "\r\n";
  const auto line = [&message](std::string_view label, std::string_view value) {
    message.append(line_value(label)).append(": ").append(line_value(value)).append("\r\n");
  };
  line(labels.category, summary.category);
  line(labels.area, summary.area);
  line(labels.report_number, summary.report_number);
  line(labels.state, summary.state);
  line(labels.link, summary.case_url);
  if (settings.include_contact && !summary.contact.empty()) line(labels.contact, summary.contact);
  return message;
}

}  // namespace buurtlijn::connectors::email
