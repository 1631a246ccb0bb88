// The public status texts of reports in the 16 languages (locales/cases/<code>.yaml,
// built into the executable): "Report 4821: ... planned ...". ICU MessageFormat with the
// report number as the argument {number}. A missing language falls back to English,
// then Dutch.
//
// Thread safety: immutable once loaded; format() formats a private clone.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "cases/workflow.hpp"

namespace buurtlijn::cases {

class StatusTexts {
 public:
  // From {"ro.yaml", text} pairs. Fails naming the file and key of a text that is
  // missing or does not compile.
  static tl::expected<StatusTexts, std::string> parse(
      const std::vector<std::pair<std::string_view, std::string_view>>& files);
  // The texts built into the executable.
  static tl::expected<StatusTexts, std::string> embedded();

  StatusTexts();
  ~StatusTexts();
  StatusTexts(StatusTexts&&) noexcept;
  StatusTexts& operator=(StatusTexts&&) noexcept;

  // The text for `key` (received, planned, handled, closed, not_found) in `language`
  // (or its fallback), with {number}. Empty only when even Dutch lacks the key.
  std::string format(std::string_view language, std::string_view key, std::int64_t number) const;
  std::string status(std::string_view language, PublicStatus status, std::int64_t number) const {
    return format(language, to_string(status), number);
  }
  // A plain text without arguments from a section, e.g. plain("ro", "services.noise") or
  // plain("en", "questions.fraction"), falling back like format(): language, English,
  // Dutch. Empty when none has it.
  std::string plain(std::string_view language, std::string_view key) const;
  // The language format() uses for `language`.
  std::string resolved_language(std::string_view language) const;
  std::vector<std::string> languages() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The keys every catalog must have.
const std::vector<std::string>& status_text_keys();

}  // namespace buurtlijn::cases
