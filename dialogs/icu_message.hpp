// Internal to dialogs/: the ICU calls behind Content. Compiling a MessageFormat
// pattern (with its argument names and a check of its plural keywords), formatting
// it with named arguments, and UTF-8 helpers.
//
// Thread safety: compile_message() and the helpers share nothing. format_message()
// never formats the prototype it is given: it clones it first, so one compiled
// prototype may be used by many threads at once as long as nobody mutates it.
#pragma once

#include <unicode/fmtable.h>
#include <unicode/locid.h>
#include <unicode/msgfmt.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace buurtlijn::dialogs::icu_message {

struct CompiledMessage {
  std::unique_ptr<const icu::MessageFormat> prototype;
  std::vector<std::string> arguments;  // names used, sorted, without duplicates
};

// Compiles `pattern` for `locale`. Fails (with a message for a person editing the
// text) on a syntax error, a numbered argument ({0}), or a plural keyword that is not
// one of `plural_keywords` (the locale's categories) and not an explicit "=n".
tl::expected<CompiledMessage, std::string> compile_message(
    std::string_view pattern, const icu::Locale& locale,
    const std::set<std::string, std::less<>>& plural_keywords);

// The cardinal plural categories of a locale ("one", "few", "other", ...).
std::set<std::string, std::less<>> plural_keywords(const icu::Locale& locale);

// Formats a private clone of `prototype` with named arguments; dates in `zone`.
tl::expected<std::string, std::string> format_message(const icu::MessageFormat& prototype,
                                                      const std::vector<icu::UnicodeString>& names,
                                                      const std::vector<icu::Formattable>& values,
                                                      const icu::TimeZone& zone);

bool is_valid_utf8(std::string_view text);
std::size_t count_code_points(std::string_view utf8);  // of valid UTF-8
icu::UnicodeString to_unicode(std::string_view utf8);
std::string to_utf8(const icu::UnicodeString& text);

}  // namespace buurtlijn::dialogs::icu_message
