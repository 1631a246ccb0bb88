// The Buurtmaker's text edits as data over the built-in catalogs: an edit is an override
// {language, key, text} stored by the store; the content that conversations read is the
// built-in files with every override applied, parsed by dialogs::parse_content() and
// checked by dialogs::check_content() (the checks of `buurtlijn content check`). Also the
// live preview of one text: MessageFormat with the shared variables and sample values,
// and the channel limits (button label, list row, SMS segments).
//
// Immutable after construction; every const member is thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "dialogs/content.hpp"
#include "store/admin_store.hpp"

namespace buurtlijn::admin {

using Files = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::size_t kWhatsappButtonChars = 20;
inline constexpr std::size_t kWhatsappListRowChars = 24;

struct Preview {
  std::string text;  // rendered, or empty when the pattern does not compile
  std::string error;
  std::size_t chars = 0;
  std::size_t sms_segments = 0;
  bool sms_unicode = false;
  std::vector<std::string> warnings;  // message keys of locales/admin (editor.limit_*)
};

class ContentEditor {
 public:
  // `base` are the built-in (or --locales) files. Fails when they do not parse.
  static tl::expected<ContentEditor, std::string> create(Files base);
  // The same with `parsed`, the content already parsed from exactly these files (the
  // server parses them once at start instead of twice).
  static tl::expected<ContentEditor, std::string> create(
      Files base, std::shared_ptr<const dialogs::Content> parsed);

  // The base files with the overrides applied (YAML rewritten per catalog).
  Files apply(const std::vector<store::ContentOverride>& overrides) const;
  // Parses files into content for conversations; problems one per line.
  static tl::expected<std::shared_ptr<const dialogs::Content>, std::string> build(
      const Files& files);
  // Problems of `files` that the built-in content does not have already, described for
  // a person ("ro.yaml: nodes.x.text [ro]: ..."). Empty: the edit may be saved.
  std::vector<std::string> new_problems(const Files& files) const;

  // The built-in text of a key in a language ("" when the catalog has none of its own).
  std::string builtin_text(std::string_view language, std::string_view key) const;
  const dialogs::Content& builtin() const { return *base_content_; }

  // Renders `pattern` as a user would see it in `language`.
  Preview preview(std::string_view language, std::string_view key, std::string_view pattern) const;

 private:
  Files base_;
  std::shared_ptr<const dialogs::Content> base_content_;
  // The built-in content's own problems, found at the first check (not at start: the
  // check takes as long as parsing, and every server start would pay for it).
  struct BaseProblems {
    std::once_flag once;
    std::vector<std::string> problems;
  };
  std::shared_ptr<BaseProblems> base_problems_ = std::make_shared<BaseProblems>();
  std::vector<std::pair<std::string, std::string>> variable_texts_;
  std::vector<std::pair<std::string, double>> variable_numbers_;
};

// The text keys of a node in display order: "nodes.<id>.label" (when the node has a
// parent) and "nodes.<id>.text"; for a message id, "messages.<id>".
std::vector<std::string> node_keys(const dialogs::Node& node);

}  // namespace buurtlijn::admin
