// See cld2_detect.hpp. Thread-safe: CLD2 keeps no state between calls.
#include "dialogs/cld2_detect.hpp"

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include <climits>

namespace buurtlijn::dialogs::cld2 {

Detection detect(std::string_view utf8) {
  Detection result;
  if (utf8.empty() || utf8.size() > static_cast<std::size_t>(INT_MAX)) return result;
  CLD2::CLDHints hints = {nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
  CLD2::Language languages[3] = {CLD2::UNKNOWN_LANGUAGE, CLD2::UNKNOWN_LANGUAGE,
                                 CLD2::UNKNOWN_LANGUAGE};
  int percents[3] = {0, 0, 0};
  double scores[3] = {0, 0, 0};
  int text_bytes = 0;
  bool reliable = false;
  int valid_prefix_bytes = 0;
  CLD2::ExtDetectLanguageSummaryCheckUTF8(utf8.data(), static_cast<int>(utf8.size()), true, &hints,
                                          0, languages, percents, scores, nullptr, &text_bytes,
                                          &reliable, &valid_prefix_bytes);
  result.reliable = reliable;
  result.text_bytes = text_bytes;
  for (int i = 0; i < 3; ++i) {
    if (languages[i] == CLD2::UNKNOWN_LANGUAGE || languages[i] == CLD2::TG_UNKNOWN_LANGUAGE) {
      continue;
    }
    std::string code = CLD2::LanguageCode(languages[i]);
    if (const auto dash = code.find('-'); dash != std::string::npos) code.resize(dash);
    result.guesses.push_back(Guess{std::move(code), percents[i]});
  }
  return result;
}

}  // namespace buurtlijn::dialogs::cld2
