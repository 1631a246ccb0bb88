// The content loader (dialogs::parse_content): the 18 files of locales/, embedded in the
// binary, with one of them replaced by the fuzzed bytes. Which one is chosen by a first
// line "# fuzz: <name>" (kept by the fuzzer once found, see corpus/content_catalog/);
// without it the bytes replace en.yaml. Refused content lists at least one problem, each
// with a description; accepted content renders every node text in every language.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "dialogs/content.hpp"
#include "locales/embedded.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace buurtlijn;
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
  for (const auto& [file, text] : locales::embedded_files()) {
    if (file == replaced) {
      files.emplace_back(std::string(file), std::string(bytes));
    } else {
      files.emplace_back(std::string(file), std::string(text));
    }
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
