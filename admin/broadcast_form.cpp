// The pure parts of the Broadcasts pages (see broadcasts.hpp): the draft from a form or
// a stored broadcast, the parameters as JSON, and Europe/Amsterdam local times through
// ICU's time zone data.
#include <unicode/calendar.h>
#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include <boost/json.hpp>
#include <cstdio>
#include <memory>

#include "admin/broadcasts.hpp"

namespace buurtlijn::admin {
namespace {

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

std::unique_ptr<icu::Calendar> amsterdam_calendar() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Calendar> calendar(new icu::GregorianCalendar(
      icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8("Europe/Amsterdam")), status));
  if (U_FAILURE(status)) return nullptr;
  return calendar;
}

bool read_number(std::string_view text, std::size_t at, std::size_t digits, int& value) {
  if (at + digits > text.size()) return false;
  value = 0;
  for (std::size_t i = at; i < at + digits; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

// The fields of `at` in Amsterdam: year, month (1-12), day, hour, minute.
bool amsterdam_fields(Millis at, int (&fields)[5]) {
  auto calendar = amsterdam_calendar();
  if (!calendar) return false;
  UErrorCode status = U_ZERO_ERROR;
  calendar->setTime(static_cast<UDate>(at), status);
  const UCalendarDateFields names[5] = {UCAL_YEAR, UCAL_MONTH, UCAL_DATE, UCAL_HOUR_OF_DAY,
                                        UCAL_MINUTE};
  for (int i = 0; i < 5; ++i) fields[i] = calendar->get(names[i], status);
  fields[1] += 1;
  return U_SUCCESS(status);
}

}  // namespace

BroadcastDraft draft_from_form(const std::map<std::string, std::string, std::less<>>& form) {
  BroadcastDraft draft;
  const auto value = [&form](std::string_view name) {
    const auto found = form.find(name);
    return found == form.end() ? std::string() : trimmed(found->second);
  };
  const std::string source = value("source");
  const auto colon = source.find(':');
  if (colon != std::string::npos) {
    draft.source = source.substr(0, colon);
    draft.key = source.substr(colon + 1);
  }
  constexpr std::string_view kParam = "param.";
  for (const auto& [name, text] : form) {
    if (name.size() > kParam.size() && name.compare(0, kParam.size(), kParam) == 0) {
      draft.params[name.substr(kParam.size())] = trimmed(text);
    }
  }
  draft.segment.language = value("language");
  draft.segment.area = value("area");
  draft.segment.channel = value("channel");
  draft.segment.topic = value("topic");
  return draft;
}

BroadcastDraft draft_from_record(const store::BroadcastRecord& record) {
  BroadcastDraft draft;
  draft.source = record.source;
  draft.key = record.source_key;
  draft.params = params_from_json(record.params_json);
  draft.segment = record.segment;
  draft.segment.subject_pseudonym.clear();
  return draft;
}

std::string params_to_json(const Params& params) {
  boost::json::object object;
  for (const auto& [name, value] : params) object[name] = value;
  return boost::json::serialize(object);
}

Params params_from_json(std::string_view text) {
  Params params;
  std::error_code error;
  const boost::json::value parsed = boost::json::parse(text, error);
  if (error || !parsed.is_object()) return params;
  for (const auto& member : parsed.get_object()) {
    if (member.value().is_string()) {
      params[std::string(member.key())] = std::string(member.value().get_string());
    }
  }
  return params;
}

std::optional<Millis> amsterdam_to_utc(std::string_view local) {
  // YYYY-MM-DDTHH:MM, optionally :SS (ignored beyond the minute).
  if (local.size() != 16 && local.size() != 19) return std::nullopt;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0;
  if (!read_number(local, 0, 4, year) || local[4] != '-' || !read_number(local, 5, 2, month) ||
      local[7] != '-' || !read_number(local, 8, 2, day) || (local[10] != 'T' && local[10] != ' ') ||
      !read_number(local, 11, 2, hour) || local[13] != ':' || !read_number(local, 14, 2, minute)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || year < 2000) {
    return std::nullopt;
  }
  auto calendar = amsterdam_calendar();
  if (!calendar) return std::nullopt;
  // Lenient: a wall time skipped by the summer-time change moves forward; a day that
  // does not exist (31 April) moves into the next month and is refused below.
  calendar->clear();
  calendar->set(year, month - 1, day, hour, minute, 0);
  UErrorCode status = U_ZERO_ERROR;
  const UDate at = calendar->getTime(status);
  if (U_FAILURE(status)) return std::nullopt;
  int fields[5];
  if (!amsterdam_fields(static_cast<Millis>(at), fields) || fields[0] != year ||
      fields[1] != month || fields[2] != day) {
    return std::nullopt;
  }
  return static_cast<Millis>(at);
}

std::string format_amsterdam(Millis at) {
  int f[5];
  if (!amsterdam_fields(at, f)) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d", f[0], f[1], f[2], f[3], f[4]);
  return text;
}

std::string amsterdam_input_value(Millis at) {
  int f[5];
  if (!amsterdam_fields(at, f)) return "";
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d", f[0], f[1], f[2], f[3], f[4]);
  return text;
}

}  // namespace buurtlijn::admin
