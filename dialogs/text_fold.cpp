// fold_for_matching(): the one normalisation used to compare a whole message with a
// command word or a language name. Thread-safe: ICU's Normalizer2 singletons are
// immutable and may be shared.
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "dialogs/content.hpp"
#include "dialogs/icu_message.hpp"

namespace buurtlijn::dialogs {
namespace {

bool is_dropped(UChar32 c) {
  const auto type = static_cast<UCharCategory>(u_charType(c));
  return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_FORMAT_CHAR ||
         type == U_CONTROL_CHAR;
}

bool is_edge_trimmed(UChar32 c) {
  return u_isUWhiteSpace(c) || u_ispunct(c) || u_charType(c) == U_MATH_SYMBOL ||
         u_charType(c) == U_OTHER_SYMBOL;
}

UChar32 unify_script_variants(UChar32 c) {
  switch (c) {
    case 0x064A:      // ARABIC LETTER YEH
    case 0x0649:      // ARABIC LETTER ALEF MAKSURA
      return 0x06CC;  // ARABIC LETTER FARSI YEH
    case 0x0643:      // ARABIC LETTER KAF
      return 0x06A9;  // ARABIC LETTER KEHEH
    default:
      return c;
  }
}

}  // namespace

std::string fold_for_matching(std::string_view text) {
  icu::UnicodeString folded = icu_message::to_unicode(text);
  folded.foldCase();
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  if (U_SUCCESS(status) && nfkd != nullptr) {
    icu::UnicodeString decomposed = nfkd->normalize(folded, status);
    if (U_SUCCESS(status)) folded = decomposed;
  }

  icu::UnicodeString kept;
  bool pending_space = false;
  for (int32_t i = 0; i < folded.length(); i = folded.moveIndex32(i, 1)) {
    const UChar32 c = folded.char32At(i);
    if (is_dropped(c)) continue;
    if (u_isUWhiteSpace(c)) {
      pending_space = !kept.isEmpty();
      continue;
    }
    if (pending_space) kept += static_cast<UChar>(0x20);
    pending_space = false;
    kept += unify_script_variants(c);
  }

  int32_t start = 0;
  int32_t limit = kept.length();
  while (start < limit && is_edge_trimmed(kept.char32At(start))) start = kept.moveIndex32(start, 1);
  while (limit > start) {
    const int32_t previous = kept.moveIndex32(limit, -1);
    if (!is_edge_trimmed(kept.char32At(previous))) break;
    limit = previous;
  }
  return icu_message::to_utf8(kept.tempSubStringBetween(start, limit));
}

}  // namespace buurtlijn::dialogs
