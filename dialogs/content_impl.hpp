// Internal to dialogs/: what a Content holds, shared by content.cpp (lookups and
// rendering) and content_parse.cpp (building and validating it). Built once by
// parse_content() and never changed afterwards, which is what makes a Content safe to
// share between threads.
#pragma once

#include <unicode/fmtable.h>
#include <unicode/locid.h>
#include <unicode/msgfmt.h>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dialogs/content.hpp"
#include "dialogs/understanding.hpp"

namespace buurtlijn::dialogs {

// One text of one catalog.
struct CatalogEntry {
  std::string pattern;                                  // as written
  std::vector<std::string> arguments;                   // names it uses, sorted
  std::unique_ptr<const icu::MessageFormat> prototype;  // cloned per call, never formatted
  std::optional<std::string> rendered;  // with the shared variables, when it needs no others
};

struct Catalog {
  icu::Locale locale;
  std::map<std::string, CatalogEntry, std::less<>> entries;  // "nodes.brp.text" -> entry
  // The shared variables as ICU arguments for this language (strings isolated for
  // right-to-left languages, `languages` as a localised list).
  std::vector<icu::UnicodeString> shared_names;
  std::vector<icu::Formattable> shared_values;
};

struct Content::Impl {
  std::vector<LanguageInfo> languages;
  std::vector<Catalog> catalogs;  // parallel to `languages`
  std::vector<Node> nodes;
  std::map<std::string, std::size_t, std::less<>> node_index;
  std::size_t root = 0;
  std::vector<std::string> messages;
  std::vector<ContentProblem> missing_translations;
  std::set<std::string, std::less<>> menu_words;                   // folded
  std::set<std::string, std::less<>> yes_words;                    // folded, every language
  std::set<std::string, std::less<>> no_words;                     // folded, every language
  std::map<std::string, std::string, std::less<>> language_names;  // folded name -> code
  std::unique_ptr<const icu::TimeZone> zone;           // for dates; cloned by setTimeZone()
  std::unique_ptr<const Understanding> understanding;  // for classify()

  std::optional<std::size_t> language_index(std::string_view code) const {
    for (std::size_t i = 0; i < languages.size(); ++i) {
      if (languages[i].code == code) return i;
    }
    return std::nullopt;
  }
};

// Wraps a string argument in FIRST STRONG ISOLATE .. POP DIRECTIONAL ISOLATE, so that a
// phone number ("14 0570") or a Latin name keeps its order inside right-to-left text.
inline icu::UnicodeString isolate(const icu::UnicodeString& text) {
  icu::UnicodeString out(static_cast<UChar32>(0x2068));
  out += text;
  out += static_cast<UChar32>(0x2069);
  return out;
}

}  // namespace buurtlijn::dialogs
