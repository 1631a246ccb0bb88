// Internal to dialogs/: everything classify() reads, built once from the catalogs by
// parse_content() and kept in the Content: the text folder, the language model, the
// intent index and the names by which a message can pick a language ("English please",
// "po-romaneste", "фарси").
//
// Immutable after build_understanding() returns; thread-safe to read.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dialogs/content.hpp"
#include "dialogs/content_files.hpp"
#include "dialogs/intent_index.hpp"
#include "dialogs/language_detect.hpp"
#include "dialogs/match_text.hpp"

namespace buurtlijn::dialogs {

struct Understanding {
  match_text::TextFolder folder;
  std::unique_ptr<const language_detect::LanguageModel> languages;
  std::unique_ptr<const intent_index::IntentIndex> intents;
  // Folded language names (native names, and ICU's names of each language in every
  // language of the content and in English) -> code.
  std::unordered_map<std::string, std::string> language_names;
  // Starts of the Latin-script names, for their other forms: "polsk" (polski, po polsku),
  // "ukrain" (ukrainian, ukrainsky), "roman" (romana, romaneste) -> code. A start that two
  // languages share is left out.
  std::unordered_map<std::string, std::string> language_stems;
  std::size_t safety_node = SIZE_MAX;  // index of the node with `trigger: safety`
  // The intent index knows one node more than the tree: the catalogs' off_topic phrases.
  // A message ranked nearest to it is about something Buurtlijn does not answer.
  std::size_t off_topic_node = SIZE_MAX;
  // Folded words that may stand beside a language name in an explicit choice ("in",
  // "please", "bitte", "po", "speak"): the words of the `language` node's examples,
  // keywords and labels in every catalog, and the greetings.
  std::unordered_set<std::string> language_choice_words;
};

// Builds the matching data from the raw catalogs (examples, keywords, greetings, safety
// phrases) and the compiled texts in `impl` (nodes, catalogs, languages already set).
std::unique_ptr<const Understanding> build_understanding(
    const std::vector<content_files::RawCatalog>& raws, const Content::Impl& impl);

}  // namespace buurtlijn::dialogs
