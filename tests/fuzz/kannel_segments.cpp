// SMS segment counting and splitting: the first byte picks max_segments (1-4), the rest
// is the text. For valid UTF-8 the split must lose no character (only the whitespace at
// the cuts), never cut inside a character (no U+FFFD that the text did not have), keep
// each part within max_segments unless the part is a single grapheme cluster, and agree
// with count_segments.
#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "check.hpp"
#include "connectors/kannel/kannel.hpp"

namespace {

// The text without the whitespace ICU's UnicodeString::trim() removes.
icu::UnicodeString without_spaces(const icu::UnicodeString& text) {
  icu::UnicodeString out;
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
    const UChar32 c = text.char32At(i);
    if (c == 0x20 || u_isWhitespace(c)) continue;
    out.append(c);
  }
  return out;
}

bool single_grapheme(const icu::UnicodeString& text) {
  UErrorCode status = U_ZERO_ERROR;
  static std::unique_ptr<icu::BreakIterator> iterator(
      icu::BreakIterator::createCharacterInstance(icu::Locale::getRoot(), status));
  FUZZ_CHECK(iterator != nullptr);
  iterator->setText(text);
  iterator->first();
  return iterator->next() == text.length();
}

icu::UnicodeString unicode(std::string_view utf8) {
  return icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
}

}  // namespace

// libFuzzer names the entry point.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  using namespace buurtlijn;
  if (size == 0) return 0;
  const unsigned max_segments = 1 + data[0] % 4;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  const connectors::kannel::Segments whole = connectors::kannel::count_segments(text);
  FUZZ_CHECK(whole.count >= 1);
  FUZZ_CHECK(whole.count == 1 || whole.units > (whole.unicode ? 70U : 160U));

  const auto parts = connectors::kannel::split_message(text, max_segments);
  icu::UnicodeString joined;
  for (const std::string& part : parts) {
    FUZZ_CHECK(!part.empty());
    FUZZ_CHECK(buurtlijn::fuzz::valid_utf8(part));
    const connectors::kannel::Segments segments = connectors::kannel::count_segments(part);
    FUZZ_CHECK(segments.count <= max_segments || single_grapheme(unicode(part)));
    joined.append(unicode(part));
  }
  if (buurtlijn::fuzz::valid_utf8(text)) {
    const icu::UnicodeString original = unicode(text);
    FUZZ_CHECK(without_spaces(joined) == without_spaces(original));
    if (original.indexOf(static_cast<UChar>(0xFFFD)) < 0) {
      FUZZ_CHECK(joined.indexOf(static_cast<UChar>(0xFFFD)) < 0);
    }
    if (whole.count <= max_segments && !without_spaces(original).isEmpty()) {
      FUZZ_CHECK(parts.size() == 1);
    }
  }
  return 0;
}
