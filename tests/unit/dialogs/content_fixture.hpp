// Shared by the dialogs unit tests: the real locales/ files (as compiled into the
// binary), the Content parsed from them once, and helpers that edit an in-memory copy
// of the files to break or remove one thing. Not thread-safe helpers; the parsed
// Content itself is.
#pragma once

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialogs/content.hpp"
#include "locales/embedded.hpp"

namespace buurtlijn::dialogs::testing {

using Files = std::vector<std::pair<std::string, std::string>>;

inline Files locale_files() {
  Files files;
  for (const auto& [name, bytes] : locales::embedded_files()) {
    files.emplace_back(std::string(name), std::string(bytes));
  }
  return files;
}

// The real content, parsed once; nullptr (and the problems printed) when it is refused.
inline std::shared_ptr<const Content> real_content() {
  static const std::shared_ptr<const Content> content = [] {
    auto parsed = parse_content(locale_files());
    if (!parsed) {
      MESSAGE("locales/ refused:\n" << parsed.error().describe());
      return std::shared_ptr<const Content>();
    }
    return *parsed;
  }();
  return content;
}

inline std::string& file_text(Files& files, std::string_view name) {
  for (auto& [file, text] : files) {
    if (file == name) return text;
  }
  FAIL("no file " << name);
  throw std::logic_error("unreachable");
}

// Replaces the first occurrence of `from` in file `name`; fails the test when absent.
inline void replace_in(Files& files, std::string_view name, std::string_view from,
                       std::string_view to) {
  std::string& text = file_text(files, name);
  const auto at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "\"" << from << "\" not in " << name);
  text.replace(at, from.size(), to);
}

// Removes nodes.<node>.<field> from the catalog of `code`.
inline void remove_node_field(Files& files, std::string_view code, std::string_view node,
                              std::string_view field) {
  std::string& text = file_text(files, std::string(code) + ".yaml");
  YAML::Node document = YAML::Load(text);
  REQUIRE(document["nodes"][std::string(node)].remove(std::string(field)));
  YAML::Emitter out;
  out << document;
  text = out.c_str();
}

inline bool has_problem(const ContentError& error, std::string_view file, std::string_view node,
                        std::string_view language, std::string_view what_part) {
  for (const ContentProblem& problem : error.problems) {
    if (problem.file == file && problem.node == node && problem.language == language &&
        problem.what.find(what_part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace buurtlijn::dialogs::testing
