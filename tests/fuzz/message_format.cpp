// ICU MessageFormat as Buurtlijn uses it (dialogs/icu_message.hpp): a fuzzed pattern is
// compiled for one of the catalogs' locales (with its plural keywords) and, when it
// compiles, formatted with fuzzed values for the arguments it names. A refusal carries a
// message for the person editing the text; a formatted text is valid UTF-8.
#include <fuzzer/FuzzedDataProvider.h>
#include <unicode/fmtable.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "check.hpp"
#include "dialogs/icu_message.hpp"

namespace {

using namespace buurtlijn::dialogs;

struct LocaleData {
  icu::Locale locale;
  std::set<std::string, std::less<>> keywords;
};

// The catalogs' ICU locales (locales/*.yaml `locale:`), right-to-left and complex scripts
// and every plural system among them (ar has six categories, zh one).
const std::vector<LocaleData>& locales() {
  static const std::vector<LocaleData> list = [] {
    std::vector<LocaleData> out;
    for (const char* tag :
         {"nl", "en-NL", "ar", "hi", "ti-ER", "zh-Hans", "fa-u-ca-gregory", "uk", "pl", "ro"}) {
      UErrorCode status = U_ZERO_ERROR;
      icu::Locale locale = icu::Locale::forLanguageTag(tag, status);
      FUZZ_CHECK(U_SUCCESS(status));
      out.push_back({locale, icu_message::plural_keywords(locale)});
    }
    return out;
  }();
  return list;
}

}  // namespace

// libFuzzer names the entry point.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<icu::TimeZone> zone(
      icu::TimeZone::createTimeZone("Europe/Amsterdam"));
  FuzzedDataProvider input(data, size);
  const LocaleData& locale =
      locales()[input.ConsumeIntegralInRange<std::size_t>(0, locales().size() - 1)];
  const std::string pattern = input.ConsumeRandomLengthString(2048);

  auto compiled = icu_message::compile_message(pattern, locale.locale, locale.keywords);
  if (!compiled) {
    FUZZ_CHECK(!compiled.error().empty());
    return 0;
  }
  FUZZ_CHECK(compiled->prototype != nullptr);

  std::vector<icu::UnicodeString> names;
  std::vector<icu::Formattable> values;
  for (const std::string& name : compiled->arguments) {
    FUZZ_CHECK(!name.empty());
    names.push_back(icu_message::to_unicode(name));
    switch (input.ConsumeIntegralInRange<int>(0, 4)) {
      case 0:
        values.emplace_back(icu_message::to_unicode(input.ConsumeRandomLengthString(64)));
        break;
      case 1:
        values.emplace_back(static_cast<int64_t>(input.ConsumeIntegral<std::int64_t>()));
        break;
      case 2:
        values.emplace_back(input.ConsumeFloatingPoint<double>());
        break;
      case 3:  // a date within a few thousand years of 1970, as ICU UDate (ms)
        values.emplace_back(
            static_cast<UDate>(input.ConsumeIntegralInRange<std::int64_t>(-1LL << 46, 1LL << 46)),
            icu::Formattable::kIsDate);
        break;
      default:  // an argument left out
        names.pop_back();
        break;
    }
  }
  const auto formatted = icu_message::format_message(*compiled->prototype, names, values, *zone);
  if (formatted) {
    FUZZ_CHECK(buurtlijn::fuzz::valid_utf8(*formatted));
  } else {
    FUZZ_CHECK(!formatted.error().empty());
  }
  return 0;
}
