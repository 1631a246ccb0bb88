// The content check (see content_check.hpp). yaml-cpp exceptions stop here. Thread-safe:
// no shared state.
#include "dialogs/content_check.hpp"

#include <cstdio>
#include <map>

#include "dialogs/content_files.hpp"

namespace buurtlijn::dialogs {
namespace {

using content_files::Problems;
using content_files::RawCatalog;
using content_files::Tree;
using Files = std::vector<std::pair<std::string, std::string>>;

struct Raw {
  Tree tree;
  std::vector<RawCatalog> catalogs;
};

// The tree and the catalogs as written, problems ignored (parse_content() reports them).
Raw read_raw(const Files& files) {
  Raw raw;
  Problems ignored;
  std::map<std::string, std::string_view, std::less<>> by_name;
  for (const auto& [name, text] : files) by_name.emplace(name, text);
  const auto tree_file = by_name.find(content_files::kTreeFile);
  if (tree_file == by_name.end()) return raw;
  const auto tree_yaml = content_files::load_yaml(tree_file->first, tree_file->second, ignored);
  if (!tree_yaml) return raw;
  raw.tree = content_files::read_tree(*tree_yaml, ignored);
  content_files::check_tree(raw.tree, ignored);
  for (const std::string& code : raw.tree.languages) {
    const std::string file = code + ".yaml";
    const auto found = by_name.find(file);
    if (found == by_name.end()) continue;
    if (auto document = content_files::load_yaml(file, found->second, ignored)) {
      raw.catalogs.push_back(content_files::read_catalog(code, file, *document, raw.tree, ignored));
    }
  }
  return raw;
}

std::size_t count_lists(const std::map<std::string, std::vector<std::string>, std::less<>>& lists) {
  std::size_t total = 0;
  for (const auto& [node, list] : lists) total += list.size();
  return total;
}

void check_phrases(const Raw& raw, Problems& problems) {
  for (const RawCatalog& catalog : raw.catalogs) {
    const std::string& code = catalog.info.code;
    for (const Node& node : raw.tree.nodes) {
      const auto examples = catalog.examples.find(node.id);
      const bool has_examples = examples != catalog.examples.end() && !examples->second.empty();
      if (has_examples) continue;
      if (node.id == raw.tree.root && !catalog.greetings.empty()) continue;  // greetings are its
      problems.add(catalog.file, node.id, "nodes." + node.id + ".examples", code,
                   "no example phrases");
    }
    if (catalog.greetings.empty()) {
      problems.add(catalog.file, "", "greetings", code, "no greetings");
    }
    if (catalog.safety.empty()) problems.add(catalog.file, "", "safety", code, "no safety phrases");
  }
}

// Sibling buttons must be told apart: no two children of a menu share a label.
void check_sibling_labels(const Content& content, Problems& problems) {
  for (const LanguageInfo& language : content.languages()) {
    for (const Node& node : content.nodes()) {
      std::map<std::string, std::string> seen;  // label -> child
      for (const std::string& child : node.children) {
        const auto label = content.render(node_label_key(child), language.code);
        if (!label || label->fallback) continue;
        const auto [it, inserted] = seen.emplace(label->text, child);
        if (!inserted) {
          problems.add(language.code + ".yaml", child, node_label_key(child), language.code,
                       "label \"" + label->text + "\" is also the label of " + it->second +
                           " in menu " + node.id);
        }
      }
    }
  }
}

std::vector<LanguageCoverage> coverage_of(const Raw& raw) {
  const std::size_t expected =
      std::size(kUiKeys) + 2 * raw.tree.nodes.size() + raw.tree.messages.size();
  std::vector<LanguageCoverage> coverage;
  for (const RawCatalog& catalog : raw.catalogs) {
    LanguageCoverage row;
    row.language = catalog.info.code;
    row.file = catalog.file;
    row.texts_expected = expected;
    row.texts = catalog.texts.size();  // read_catalog() keeps only the keys the tree has
    row.nodes = raw.tree.nodes.size();
    for (const Node& node : raw.tree.nodes) {
      const auto examples = catalog.examples.find(node.id);
      if (examples != catalog.examples.end() && !examples->second.empty()) {
        ++row.nodes_with_examples;
      }
    }
    row.examples = count_lists(catalog.examples);
    row.keywords = count_lists(catalog.keywords);
    row.greetings = catalog.greetings.size();
    row.safety = catalog.safety.size();
    coverage.push_back(std::move(row));
  }
  return coverage;
}

ContentCheck check(const Files& files) {
  ContentCheck result;
  Problems problems;
  const Raw raw = read_raw(files);
  const auto parsed = parse_content(files);
  if (!parsed) {
    result.problems = parsed.error().problems;
  } else {
    result.problems = (*parsed)->missing_translations();
    check_sibling_labels(**parsed, problems);
  }
  check_phrases(raw, problems);
  for (ContentProblem& problem : problems.take()) result.problems.push_back(std::move(problem));
  result.coverage = coverage_of(raw);
  return result;
}

}  // namespace

ContentCheck check_content(const Files& files) {
  try {
    return check(files);
  } catch (const std::exception& error) {
    ContentCheck result;
    result.problems.push_back(ContentProblem{"", "", "", "", error.what()});
    return result;
  }
}

std::string describe_problem(const ContentProblem& problem) {
  std::string out = problem.file.empty() ? std::string("content") : problem.file;
  out += ": ";
  out +=
      problem.node.empty() ? (problem.key.empty() ? std::string("-") : problem.key) : problem.node;
  if (!problem.language.empty()) out += " [" + problem.language + "]";
  out += ": " + problem.what;
  if (!problem.key.empty() && !problem.node.empty() && problem.key != problem.node) {
    out += " (" + problem.key + ")";
  }
  return out;
}

std::string coverage_table(const std::vector<LanguageCoverage>& coverage) {
  std::string out = "lang  texts      nodes w/ examples  examples  keywords  greetings  safety\n";
  char line[160];
  for (const LanguageCoverage& row : coverage) {
    std::snprintf(line, sizeof line, "%-4s  %4zu/%-4zu  %6zu/%-6zu     %8zu  %8zu  %9zu  %6zu\n",
                  row.language.c_str(), row.texts, row.texts_expected, row.nodes_with_examples,
                  row.nodes, row.examples, row.keywords, row.greetings, row.safety);
    out += line;
  }
  return out;
}

}  // namespace buurtlijn::dialogs
