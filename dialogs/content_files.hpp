// Internal to dialogs/: reading the content files (tree.yaml, variables.yaml and one
// catalog per language) from YAML into plain structures, with every problem found.
// Compiling and checking the texts is content_parse.cpp's. Thread-safe: no shared state.
#pragma once

#include <unicode/fmtable.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialogs/content.hpp"

namespace buurtlijn::dialogs::content_files {

inline constexpr std::string_view kTreeFile = "tree.yaml";
inline constexpr std::string_view kVariablesFile = "variables.yaml";
inline constexpr std::string_view kLanguagesVariable = "languages";  // built in

// Collects problems in the order found.
class Problems {
 public:
  void add(std::string_view file, std::string_view node, std::string_view key,
           std::string_view language, std::string what) {
    list_.push_back(ContentProblem{std::string(file), std::string(node), std::string(key),
                                   std::string(language), std::move(what)});
  }
  bool empty() const { return list_.empty(); }
  std::vector<ContentProblem> take() { return std::move(list_); }

 private:
  std::vector<ContentProblem> list_;
};

// tree.yaml
struct Tree {
  std::vector<std::string> languages;
  std::string root;
  std::vector<Node> nodes;
  std::vector<std::pair<std::string, std::vector<std::string>>> messages;  // id, arguments
};

// variables.yaml
struct Variables {
  std::vector<std::pair<std::string, std::string>> texts;
  std::vector<std::pair<std::string, icu::Formattable>> numbers;
  std::set<std::string, std::less<>> names;  // all of them, plus the built-in ones
};

// <code>.yaml
struct RawText {
  std::string pattern;
  std::string line;  // " (line 12)"
};

struct RawCatalog {
  std::string file;
  LanguageInfo info;
  std::map<std::string, RawText, std::less<>> texts;
  std::vector<std::string> menu_words;
  // Whole-message answers to a yes/no question (the erasure's confirmation).
  std::vector<std::string> yes_words;
  std::vector<std::string> no_words;
  std::string list_separator = ", ";
  // What recognises a node in free text: example phrases and keywords per node id, and
  // the catalog-wide greetings (topic greeting) and safety phrases (the safety trigger).
  std::map<std::string, std::vector<std::string>, std::less<>> examples;
  std::map<std::string, std::vector<std::string>, std::less<>> keywords;
  std::vector<std::string> greetings;
  std::vector<std::string> safety;
  // Questions Buurtlijn does not answer (weather, trains, shops, sport): what an
  // off-topic message looks like, so that it is not forced onto the nearest node.
  std::vector<std::string> off_topic;
};

// The node or message id a text key is about: "nodes.brp.text" -> "brp", "messages.x" -> "x".
std::string_view node_of_key(std::string_view key);

// Parses one file; nullopt (and a problem) when it is too large, not UTF-8, nested too
// deeply for yaml-cpp, not YAML, or not a mapping.
std::optional<YAML::Node> load_yaml(std::string_view file, std::string_view text,
                                    Problems& problems);

Tree read_tree(const YAML::Node& document, Problems& problems);
// Links children to parents and checks that the nodes form one tree under the root (nodes
// with a trigger stand outside it, with no parent), that kTopics, kinds and triggers are
// known and that the engine's messages are declared.
void check_tree(Tree& tree, Problems& problems);
Variables read_variables(const YAML::Node& document, Problems& problems);
RawCatalog read_catalog(std::string_view code, std::string_view file, const YAML::Node& document,
                        const Tree& tree, Problems& problems);

}  // namespace buurtlijn::dialogs::content_files
