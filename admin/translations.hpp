// Translations in and out as gettext PO, the format translators' tools (Poedit, Weblate,
// an interpreter service's CAT tool) read: one entry per text, msgctxt = the text key
// ("nodes.brp.text"), msgid = the English text (the source most translators read), the
// Dutch text as an extracted comment, msgstr = the language's text ("" when missing),
// and "#, fuzzy" on texts flagged "needs review". Pure functions; thread-safe.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "dialogs/content.hpp"

namespace buurtlijn::admin {

struct PoEntry {
  std::string key;          // msgctxt
  std::string source;       // msgid
  std::string translation;  // msgstr
  bool fuzzy = false;
};

struct PoCatalog {
  std::string language;  // from the "Language:" header
  std::vector<PoEntry> entries;
};

// Every node label and text and every message of `content` in `language`.
// `needs_review` holds the keys flagged for that language.
std::string export_po(const dialogs::Content& content, std::string_view language,
                      const std::set<std::string, std::less<>>& needs_review);

// Parses a PO file (msgctxt/msgid/msgstr with continuation lines and C escapes).
// Fails with the line number on malformed input.
tl::expected<PoCatalog, std::string> parse_po(std::string_view text);

// What importing would change: {key, current text, new text} for every entry with a
// non-empty translation that differs from the current one and is not fuzzy.
struct PoChange {
  std::string key;
  std::string before;
  std::string after;
};
std::vector<PoChange> po_changes(const dialogs::Content& content, const PoCatalog& catalog);

}  // namespace buurtlijn::admin
