// Internal to dialogs/: the one place that calls CLD2 (Compact Language Detector 2, a
// C++ API), so that its types and macros stay out of every other file. CLD2 is pure
// (static tables, no I/O) and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace buurtlijn::dialogs::cld2 {

struct Guess {
  std::string code;  // ISO 639-1 ("zh" also for traditional Chinese), lower case
  int percent = 0;   // share of the text's letters CLD2 gives this language
};

struct Detection {
  std::vector<Guess> guesses;  // best first, at most 3, only known languages
  bool reliable = false;       // CLD2's own verdict on the best guess
  int text_bytes = 0;          // letters CLD2 scored
};

// CLD2 on plain text; `utf8` must be valid UTF-8. Empty guesses when CLD2 has none.
Detection detect(std::string_view utf8);

}  // namespace buurtlijn::dialogs::cld2
