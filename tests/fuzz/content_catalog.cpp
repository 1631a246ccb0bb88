// The content loader (dialogs::parse_content) over the files of locales/, embedded in
// the binary, with one of them replaced by the fuzzed bytes. Which one is chosen by a
// first line "# fuzz: <name>" (see corpus/content_catalog/); without it the bytes replace
// en.yaml. Refused content lists at least one problem, each with a description; accepted
// content renders every node text in every language.
//
// Speed: the 16 catalogs take about a second per input under ASan+UBSan, too slow to
// fuzz. So a replaced catalog is loaded with nl.yaml only (tree.yaml's `languages:` cut
// to [nl, <code>]), variables.yaml with nl and en, a replaced tree.yaml with the catalogs
// its `languages:` line names. BUURTLIJN_FUZZ_ALL_LANGUAGES=1 in the environment keeps all 16 every
// time.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "dialogs/content.hpp"
#include "locales/embedded.hpp"

namespace {

using namespace buurtlijn;

std::string_view embedded(std::string_view name) {
  for (const auto& [file, text] : locales::embedded_files()) {
    if (file == name) return text;
  }
  FUZZ_CHECK(false && "locales/ lacks a file");
  return {};
}

// tree.yaml with its `languages: [...]` line replaced.
std::string tree_with_languages(std::string_view languages) {
  std::string tree(embedded("tree.yaml"));
  const auto begin = tree.find("\nlanguages: [");
  FUZZ_CHECK(begin != std::string::npos);
  const auto end = tree.find('\n', begin + 1);
  tree.replace(begin + 1, end - begin - 1, "languages: [" + std::string(languages) + "]");
  return tree;
}

// The catalogs a fuzzed tree.yaml asks for on a line "languages: [nl, en, ...]", as far
// as locales/ has them; nl and en when there is no such line.
std::vector<std::string> listed_languages(std::string_view tree) {
  std::vector<std::string> codes;
  const auto line = tree.find("languages: [");
  const auto close = line == std::string_view::npos ? line : tree.find(']', line);
  if (close != std::string_view::npos) {
    std::string_view list = tree.substr(line + 12, close - line - 12);
    while (!list.empty()) {
      const auto comma = list.find(',');
      std::string_view code = list.substr(0, comma);
      while (code.starts_with(' ')) code.remove_prefix(1);
      while (code.ends_with(' ')) code.remove_suffix(1);
      for (const auto& [file, text] : locales::embedded_files()) {
        if (file.size() == code.size() + 5 && file.starts_with(code) && file.ends_with(".yaml") &&
            file != "tree.yaml" && file != "variables.yaml" &&
            std::find(codes.begin(), codes.end(), code) == codes.end()) {
          codes.emplace_back(code);
        }
      }
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    }
  }
  if (codes.empty()) codes = {"nl", "en"};
  return codes;
}

}  // namespace

// libFuzzer names the entry point.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  static const bool all_languages = std::getenv("BUURTLIJN_FUZZ_ALL_LANGUAGES") != nullptr;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string replaced = "en.yaml";
  constexpr std::string_view kMarker = "# fuzz: ";
  if (bytes.starts_with(kMarker)) {
    const auto end = bytes.find('\n');
    const std::string_view name =
        bytes.substr(kMarker.size(),
                     end == std::string_view::npos ? std::string_view::npos : end - kMarker.size());
    for (const auto& [file, text] : locales::embedded_files()) {
      if (file == name) replaced = std::string(file);
    }
  }

  std::vector<std::pair<std::string, std::string>> files;
  if (all_languages) {
    for (const auto& [file, text] : locales::embedded_files()) {
      files.emplace_back(std::string(file), std::string(text));
    }
  } else if (replaced == "tree.yaml") {
    files.emplace_back("tree.yaml", "");
    files.emplace_back("variables.yaml", std::string(embedded("variables.yaml")));
    for (const std::string& code : listed_languages(bytes)) {
      files.emplace_back(code + ".yaml", std::string(embedded(code + ".yaml")));
    }
  } else {
    const std::string code = replaced.substr(0, replaced.size() - 5);
    const std::string other = replaced == "nl.yaml" || replaced == "variables.yaml" ? "en" : code;
    files.emplace_back("tree.yaml", tree_with_languages("nl, " + other));
    files.emplace_back("variables.yaml", std::string(embedded("variables.yaml")));
    files.emplace_back("nl.yaml", std::string(embedded("nl.yaml")));
    files.emplace_back(other + ".yaml", std::string(embedded(other + ".yaml")));
  }
  for (auto& [file, text] : files) {
    if (file == replaced) text = std::string(bytes);
  }

  const auto content = dialogs::parse_content(files);
  if (!content) {
    FUZZ_CHECK(!content.error().problems.empty());
    for (const dialogs::ContentProblem& problem : content.error().problems) {
      FUZZ_CHECK(!problem.what.empty());
      FUZZ_CHECK(!problem.describe().empty());
    }
    return 0;
  }
  const dialogs::Content& accepted = **content;
  FUZZ_CHECK(!accepted.languages().empty());
  for (const dialogs::LanguageInfo& language : accepted.languages()) {
    for (const dialogs::Node& node : accepted.nodes()) {
      if (!node.arguments.empty()) continue;
      const auto text = accepted.render(dialogs::node_text_key(node.id), language.code);
      FUZZ_CHECK(text.has_value());
      FUZZ_CHECK(buurtlijn::fuzz::valid_utf8(text->text));
    }
  }
  return 0;
}
