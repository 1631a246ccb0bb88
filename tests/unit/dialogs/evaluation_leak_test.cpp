// The evaluation set must measure how the matcher generalises, so no evaluation message
// may be among the phrases it learns from: every message of tests/eval/<code>.tsv, folded
// the way the matcher folds text (both Cyrillic readings), is compared with every example
// phrase, keyword, greeting, safety and off-topic phrase of every catalog, folded the same
// way. A hit fails the test with the message and where it was found.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dialogs/content_files.hpp"
#include "dialogs/match_text.hpp"
#include "tests/unit/dialogs/content_fixture.hpp"

namespace buurtlijn::dialogs {
namespace {

using match_text::Cyrillic;

const match_text::TextFolder& folder() {
  static const match_text::TextFolder instance;
  return instance;
}

// Every folded form of a text the matcher may compare.
std::vector<std::string> folded_forms(std::string_view text) {
  std::vector<std::string> forms;
  for (Cyrillic reading : {Cyrillic::bulgarian, Cyrillic::ukrainian, Cyrillic::keep}) {
    std::string form = folder().folded_string(text, reading);
    if (!form.empty() && std::find(forms.begin(), forms.end(), form) == forms.end()) {
      forms.push_back(std::move(form));
    }
  }
  return forms;
}

// Folded learning phrase -> where it is ("ro.yaml nodes.brp_bring.examples").
std::map<std::string, std::string> learning_phrases() {
  std::map<std::string, std::string> phrases;
  const testing::Files files = testing::locale_files();
  content_files::Problems problems;
  content_files::Tree tree;
  for (const auto& [name, bytes] : files) {
    if (name != content_files::kTreeFile) continue;
    if (auto document = content_files::load_yaml(name, bytes, problems)) {
      tree = content_files::read_tree(*document, problems);
    }
  }
  REQUIRE_FALSE(tree.languages.empty());
  for (const std::string& code : tree.languages) {
    const std::string file = code + ".yaml";
    const auto found = std::find_if(files.begin(), files.end(),
                                    [&file](const auto& entry) { return entry.first == file; });
    REQUIRE(found != files.end());
    const auto document = content_files::load_yaml(file, found->second, problems);
    REQUIRE(document.has_value());
    const content_files::RawCatalog catalog =
        content_files::read_catalog(code, file, *document, tree, problems);
    auto add = [&](const std::string& phrase, const std::string& where) {
      for (std::string& form : folded_forms(phrase)) {
        std::string place = file;
        place += ' ';
        place += where;
        phrases.emplace(std::move(form), std::move(place));
      }
    };
    for (const auto& [node, list] : catalog.examples) {
      for (const std::string& phrase : list) add(phrase, "nodes." + node + ".examples");
    }
    for (const auto& [node, list] : catalog.keywords) {
      for (const std::string& phrase : list) add(phrase, "nodes." + node + ".keywords");
    }
    for (const std::string& phrase : catalog.greetings) add(phrase, "greetings");
    for (const std::string& phrase : catalog.safety) add(phrase, "safety");
    for (const std::string& phrase : catalog.off_topic) add(phrase, "off_topic");
  }
  return phrases;
}

TEST_CASE("no evaluation message is among the phrases the matcher learns from") {
  const std::map<std::string, std::string> phrases = learning_phrases();
  REQUIRE(phrases.size() > 1000);
  const std::filesystem::path dir = std::filesystem::path(BUURTLIJN_SOURCE_DIR) / "tests" / "eval";
  std::size_t messages = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".tsv") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty() || line.front() == '#') continue;
      const auto tab = line.rfind('\t');
      REQUIRE(tab != std::string::npos);
      const std::string message = line.substr(tab + 1);
      ++messages;
      for (const std::string& form : folded_forms(message)) {
        const auto found = phrases.find(form);
        CHECK_MESSAGE(found == phrases.end(), entry.path().filename().string()
                                                  << ": \"" << message << "\" is in "
                                                  << (found == phrases.end() ? "" : found->second));
      }
    }
  }
  CHECK(messages >= 400);
}

TEST_CASE("the leak check sees through case, accents, punctuation and Cyrillic transliteration") {
  // The comparison the test above relies on: what the matcher treats as the same text.
  CHECK(folded_forms("Cum mă înregistrez?").front() == folded_forms("cum ma inregistrez").front());
  const auto cyrillic = folded_forms("Как да се регистрирам");
  CHECK(std::find(cyrillic.begin(), cyrillic.end(), "kak da se registriram") != cyrillic.end());
}

}  // namespace
}  // namespace buurtlijn::dialogs
