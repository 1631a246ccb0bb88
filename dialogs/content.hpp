// Buurtlijn's content: the language-neutral dialog tree and one catalog of ICU
// MessageFormat texts per language, parsed and validated from in-memory files (the
// files of locales/, or the Buurtmaker's edited copies). No file or network I/O.
//
// A Content is immutable once parse_content() returns it. Every const member may be
// called from many threads at once: static texts are rendered while parsing, and a
// text that needs arguments is formatted on a private clone of its compiled
// MessageFormat (ICU formatters are not safe to share while formatting).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <variant>
#include <vector>

namespace buurtlijn::dialogs {

// One thing wrong with the content. `file` is the file's name ("ro.yaml"), `node` the
// node or message id the problem is about ("brp", "welcome"), `key` the full text key
// ("nodes.brp.label"), `language` the ISO 639-1 code. Any of them may be empty when
// the problem is not about one.
struct ContentProblem {
  std::string file;
  std::string node;
  std::string key;
  std::string language;
  std::string what;

  std::string describe() const;  // "ro.yaml: nodes.brp.label [ro]: label has 23 ..."
  bool operator==(const ContentProblem&) const = default;
};

// Why content was refused: every problem found, not just the first.
struct ContentError {
  std::vector<ContentProblem> problems;

  std::string describe() const;  // one line per problem
};

enum class NodeKind {
  menu,      // shows its text and its children as buttons
  answer,    // shows its text and a button back to its parent menu
  form,      // asks for details step by step (for now answered like an answer)
  handover,  // like an answer, and marks the conversation for the Buurtmaker's inbox
};

struct Node {
  std::string id;  // stable; [a-z0-9_]
  NodeKind kind = NodeKind::answer;
  std::string topic;  // brp, waste, tenant, report, human, greeting, unknown, privacy, language
  std::vector<std::string> children;   // menu nodes only, in display order
  std::string parent;                  // empty for the root
  std::vector<std::string> arguments;  // MessageFormat arguments the caller must pass
  std::string trigger;  // "safety": answered in any state to such a message; never a child
};

// Triggers a node may carry in tree.yaml (`trigger: safety`).
inline constexpr std::string_view kSafetyTrigger = "safety";

struct LanguageInfo {
  std::string code;         // ISO 639-1
  std::string native_name;  // as the language picker shows it: "Română"
  bool right_to_left = false;
  std::string icu_locale;  // locale used for MessageFormat ("en-NL", "fa-u-ca-gregory")
  std::map<std::string, std::string, std::less<>> ui;  // web chat strings, rendered
};

// The web chat page's strings: every catalog has exactly these `ui:` keys.
inline constexpr std::string_view kUiKeys[] = {
    "title",         "intro",       "choose_language", "change_language",
    "placeholder",   "send",        "connecting",      "reconnecting",
    "you",           "bot",         "error_too_long",  "error_rate_limited",
    "error_invalid", "error_server"};

// Messages the engine needs; tree.yaml must declare them and nl must have them.
inline constexpr std::string_view kRequiredMessages[] = {"welcome", "not_understood", "handed_over",
                                                         "waiting_for_person"};

inline constexpr std::size_t kMaxLabelChars = 20;   // WhatsApp reply button title
inline constexpr std::size_t kMaxTextChars = 1024;  // WhatsApp interactive message body

// Text keys, as used by lookup() and render().
std::string node_text_key(std::string_view node_id);   // "nodes.<id>.text"
std::string node_label_key(std::string_view node_id);  // "nodes.<id>.label"
std::string message_key(std::string_view message_id);  // "messages.<id>"
std::string ui_key(std::string_view name);             // "ui.<name>"

// A MessageFormat argument supplied at render time. Strings are isolated (FSI..PDI)
// in right-to-left languages; numbers and dates are formatted by ICU for the language
// (dates in the Europe/Amsterdam time zone).
using Argument =
    std::variant<std::string, std::int64_t, double, std::chrono::system_clock::time_point>;
using Arguments = std::map<std::string, Argument, std::less<>>;

// A text as it was found: in which language, and whether that is a fallback.
struct LocalizedText {
  std::string text;
  std::string language;
  bool fallback = false;  // true when `language` is not the requested language
};

// A pattern as written in a catalog, before formatting.
struct PatternRef {
  std::string_view pattern;
  std::string_view language;
  bool fallback = false;
};

class Content {
 public:
  struct Impl;                                         // defined in content_impl.hpp
  explicit Content(std::unique_ptr<const Impl> impl);  // for parse_content()
  ~Content();
  Content(const Content&) = delete;
  Content& operator=(const Content&) = delete;

  // Languages in the order of tree.yaml (nl, en, bg, ro, uk, de, fr, es, it, pt, ar,
  // pl, zh, fa, hi, ti).
  const std::vector<LanguageInfo>& languages() const;
  bool has_language(std::string_view code) const;
  const LanguageInfo* language(std::string_view code) const;  // nullptr when unknown

  const std::vector<Node>& nodes() const;
  const Node* node(std::string_view id) const;  // nullptr when unknown
  const Node& root() const;
  const std::vector<std::string>& messages() const;  // message ids declared in tree.yaml

  // Languages tried for a text: the requested one, the second language, en, nl;
  // without duplicates, unsupported codes or empty entries.
  std::vector<std::string> fallback_chain(std::string_view language,
                                          std::string_view second_language) const;

  // The pattern for `key` in the first language of the fallback chain that has it;
  // nullopt when none has. The views live as long as the Content.
  std::optional<PatternRef> lookup(std::string_view key, std::string_view language,
                                   std::string_view second_language = {}) const;

  // The text for `key`, found like lookup() and formatted with the shared variables
  // (variables.yaml, plus `languages`: the native names joined with the catalog's
  // list_separator) and `arguments`,
  // which take precedence. Fails only when no language has the key or ICU cannot
  // format the arguments given (e.g. a string for a plural argument).
  tl::expected<LocalizedText, ContentProblem> render(std::string_view key,
                                                     std::string_view language,
                                                     std::string_view second_language = {},
                                                     const Arguments& arguments = {}) const;

  // Texts a language lacks; render() falls back for them. Empty for complete content.
  const std::vector<ContentProblem>& missing_translations() const;

  // Free-text helpers for the engine; `folded` is the output of fold_for_matching().
  bool is_menu_word(std::string_view folded) const;
  // A whole-message yes or no in any language of the content ("da", "так", "نعم").
  bool is_yes_word(std::string_view folded) const;
  bool is_no_word(std::string_view folded) const;
  // The language whose native name the text is ("romana", "Română" -> "ro").
  std::optional<std::string_view> language_by_name(std::string_view folded) const;

  // For dialogs/ internals (content_impl.hpp); opaque elsewhere.
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<const Impl> impl_;
};

// Parses and validates content from {name, text} pairs: "tree.yaml",
// "variables.yaml" and one "<code>.yaml" per language of tree.yaml. Files whose name
// does not end in ".yaml" are ignored. Returns every problem found when the content
// cannot be used: YAML errors, a node or message without a Dutch text, a MessageFormat
// that does not compile for its locale, placeholders that differ between languages,
// unknown placeholders, plural keywords the language does not have, a label over
// kMaxLabelChars code points or a text over kMaxTextChars, a right-to-left text that
// begins with a Latin word, a missing or doubly used child, a broken tree, unknown keys. A text
// missing in a language other than nl is not an error: it is listed in missing_translations() and
// falls back. Never throws.
//
// Besides texts, a catalog has what recognises free text: per node `examples:` and
// `keywords:`, and at the top `greetings:` and `safety:` (lists of one-line phrases). They
// are built into the matching data classify() reads (classify.hpp); content_check.hpp
// reports a node without examples. This takes 150-200 ms for the 16 catalogs (Release).
tl::expected<std::shared_ptr<const Content>, ContentError> parse_content(
    const std::vector<std::pair<std::string, std::string>>& files);

// Folds free text for whole-message matching: case-folded, compatibility-decomposed,
// without combining marks, format characters and surrounding punctuation, with runs of
// spaces collapsed; Arabic yeh/kaf read as their Persian forms. "  Română! " -> "romana".
std::string fold_for_matching(std::string_view text);

}  // namespace buurtlijn::dialogs
