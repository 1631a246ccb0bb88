// The content check behind `buurtlijn content check` and its unit test: everything
// parse_content() refuses, plus what it lets through but a complete content must not
// have: a text missing in some language (it would fall back), a node without example
// phrases, a catalog without greetings or safety phrases, two sibling buttons with the
// same label. Also counts, per language, how complete its catalog is.
//
// Pure (files in, report out) and thread-safe: shares nothing between calls.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "dialogs/content.hpp"

namespace buurtlijn::dialogs {

struct LanguageCoverage {
  std::string language;
  std::string file;
  std::size_t texts = 0;           // texts of its own (labels, node texts, messages, ui)
  std::size_t texts_expected = 0;  // texts the tree asks for
  std::size_t nodes_with_examples = 0;
  std::size_t nodes = 0;
  std::size_t examples = 0;
  std::size_t keywords = 0;
  std::size_t greetings = 0;
  std::size_t safety = 0;
};

struct ContentCheck {
  std::vector<ContentProblem> problems;    // empty when the content is clean
  std::vector<LanguageCoverage> coverage;  // one per catalog that could be read
  bool clean() const { return problems.empty(); }
};

// Checks the files parse_content() takes. Never throws.
ContentCheck check_content(const std::vector<std::pair<std::string, std::string>>& files);

// One line per problem: "ro.yaml: brp_bring [ro]: missing translation (nodes.brp_bring.text)".
std::string describe_problem(const ContentProblem& problem);

// The coverage as a plain-text table, one row per language.
std::string coverage_table(const std::vector<LanguageCoverage>& coverage);

}  // namespace buurtlijn::dialogs
