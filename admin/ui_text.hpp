// The console's own words in Dutch and English: locales/admin/<code>.yaml (built into the
// executable), ICU MessageFormat patterns looked up by dotted key ("inbox.title") and
// formatted with named arguments. Immutable after load; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <variant>
#include <vector>

namespace buurtlijn::admin {

using UiArgument = std::variant<std::string, std::int64_t>;
using UiArguments = std::vector<std::pair<std::string, UiArgument>>;

class UiText {
 public:
  // Parses {"nl.yaml", text} pairs. Fails, listing every problem, when a file is not
  // YAML, a pattern does not compile, or a key of nl.yaml is missing in another file.
  static tl::expected<UiText, std::string> parse(
      const std::vector<std::pair<std::string, std::string>>& files);
  // The files of locales/admin/ built into the executable.
  static const UiText& embedded();

  // The text of `key` in `language` (nl when it is not a console language), formatted.
  // An unknown key gives the key itself, so a missing text is visible but not fatal.
  std::string get(std::string_view language, std::string_view key,
                  const UiArguments& arguments = {}) const;
  bool has_language(std::string_view language) const;
  const std::vector<std::string>& languages() const { return languages_; }
  // Every key of `language`, for the page scripts' texts.
  std::vector<std::string> keys(std::string_view prefix) const;

 private:
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> patterns_;
  std::vector<std::string> languages_;
};

}  // namespace buurtlijn::admin
