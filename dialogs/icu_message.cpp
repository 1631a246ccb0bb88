// Internal to dialogs/: ICU MessageFormat compilation and formatting for Content.
// Thread-safe: nothing is shared; prototypes are only cloned, never formatted.
#include "dialogs/icu_message.hpp"

#include <unicode/datefmt.h>
#include <unicode/messagepattern.h>
#include <unicode/parseerr.h>
#include <unicode/plurrule.h>
#include <unicode/strenum.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>

#include <algorithm>

namespace buurtlijn::dialogs::icu_message {
namespace {

std::string parse_error_text(const UParseError& error) {
  std::string text = "at offset " + std::to_string(error.offset);
  std::string context = to_utf8(icu::UnicodeString(error.preContext)) + "\u2038" +
                        to_utf8(icu::UnicodeString(error.postContext));
  if (!context.empty()) text += " near \"" + context + "\"";
  return text;
}

// Argument names, numbered arguments and plural keywords as found in the pattern.
struct PatternFacts {
  std::vector<std::string> names;
  bool numbered = false;
  std::vector<std::string> plural_selectors;
};

PatternFacts pattern_facts(const icu::MessagePattern& pattern) {
  PatternFacts facts;
  std::vector<UMessagePatternArgType> open;  // argument types enclosing the current part
  for (int32_t i = 0; i < pattern.countParts(); ++i) {
    const icu::MessagePattern::Part& part = pattern.getPart(i);
    switch (part.getType()) {
      case UMSGPAT_PART_TYPE_ARG_START:
        open.push_back(part.getArgType());
        break;
      case UMSGPAT_PART_TYPE_ARG_LIMIT:
        if (!open.empty()) open.pop_back();
        break;
      case UMSGPAT_PART_TYPE_ARG_NAME:
        facts.names.push_back(to_utf8(pattern.getSubstring(part)));
        break;
      case UMSGPAT_PART_TYPE_ARG_NUMBER:
        facts.numbered = true;
        break;
      case UMSGPAT_PART_TYPE_ARG_SELECTOR:
        if (!open.empty() && open.back() == UMSGPAT_ARG_TYPE_PLURAL) {
          facts.plural_selectors.push_back(to_utf8(pattern.getSubstring(part)));
        }
        break;
      default:
        break;
    }
  }
  std::sort(facts.names.begin(), facts.names.end());
  facts.names.erase(std::unique(facts.names.begin(), facts.names.end()), facts.names.end());
  return facts;
}

}  // namespace

tl::expected<CompiledMessage, std::string> compile_message(
    std::string_view pattern, const icu::Locale& locale,
    const std::set<std::string, std::less<>>& keywords) {
  const icu::UnicodeString text = to_unicode(pattern);
  UParseError parse_error{};
  UErrorCode status = U_ZERO_ERROR;
  icu::MessagePattern parsed(text, &parse_error, status);
  if (U_FAILURE(status)) {
    return tl::unexpected("MessageFormat syntax error (" + std::string(u_errorName(status)) + ") " +
                          parse_error_text(parse_error));
  }
  PatternFacts facts = pattern_facts(parsed);
  if (facts.numbered) {
    return tl::unexpected(std::string("numbered argument such as {0}: use a name"));
  }
  for (const std::string& selector : facts.plural_selectors) {
    if (!selector.starts_with('=') && !keywords.contains(selector)) {
      std::string what = "plural keyword \"" + selector + "\" is not used by this language (";
      for (const std::string& keyword : keywords) {
        if (what.back() != '(') {
          what += ", ";
        }
        what += keyword;
      }
      what += ")";
      return tl::unexpected(std::move(what));
    }
  }
  auto format = std::make_unique<icu::MessageFormat>(text, locale, parse_error, status);
  if (U_FAILURE(status)) {
    return tl::unexpected("MessageFormat does not compile (" + std::string(u_errorName(status)) +
                          ") " + parse_error_text(parse_error));
  }
  return CompiledMessage{std::move(format), std::move(facts.names)};
}

std::set<std::string, std::less<>> plural_keywords(const icu::Locale& locale) {
  std::set<std::string, std::less<>> keywords;
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::PluralRules> rules(icu::PluralRules::forLocale(locale, status));
  if (U_FAILURE(status) || !rules) return {"other"};
  std::unique_ptr<icu::StringEnumeration> names(rules->getKeywords(status));
  if (U_FAILURE(status) || !names) return {"other"};
  while (const char* keyword = names->next(nullptr, status)) {
    if (U_FAILURE(status)) break;
    keywords.emplace(keyword);
  }
  keywords.emplace("other");
  return keywords;
}

tl::expected<std::string, std::string> format_message(const icu::MessageFormat& prototype,
                                                      const std::vector<icu::UnicodeString>& names,
                                                      const std::vector<icu::Formattable>& values,
                                                      const icu::TimeZone& zone) {
  std::unique_ptr<icu::MessageFormat> format(prototype.clone());
  if (!format) return tl::unexpected(std::string("out of memory"));
  // getFormats() caches inside the object, which is why it runs on the clone only.
  int32_t count = 0;
  const icu::Format** formats = format->getFormats(count);
  for (int32_t i = 0; formats != nullptr && i < count; ++i) {
    // The sub-formats are owned by `format`, which is ours alone.
    if (auto* date = dynamic_cast<icu::DateFormat*>(const_cast<icu::Format*>(formats[i]))) {
      date->setTimeZone(zone);
    }
  }
  icu::UnicodeString out;
  UErrorCode status = U_ZERO_ERROR;
  format->format(names.data(), values.data(), static_cast<int32_t>(names.size()), out, status);
  if (U_FAILURE(status)) {
    return tl::unexpected("MessageFormat cannot format these arguments (" +
                          std::string(u_errorName(status)) + ")");
  }
  return to_utf8(out);
}

bool is_valid_utf8(std::string_view text) {
  int32_t i = 0;
  const auto length = static_cast<int32_t>(text.size());
  if (text.size() > static_cast<std::size_t>(INT32_MAX)) return false;
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  while (i < length) {
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) return false;
  }
  return true;
}

std::size_t count_code_points(std::string_view utf8) {
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

icu::UnicodeString to_unicode(std::string_view utf8) {
  return icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
}

std::string to_utf8(const icu::UnicodeString& text) {
  std::string out;
  text.toUTF8String(out);
  return out;
}

}  // namespace buurtlijn::dialogs::icu_message
