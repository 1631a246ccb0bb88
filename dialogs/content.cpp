// Lookups and rendering on a parsed Content (parsing is in content_parse.cpp).
// Thread-safe: every member is const over immutable data; a text that needs arguments
// is formatted on a private clone of its compiled MessageFormat.
#include "dialogs/content.hpp"

#include <algorithm>
#include <type_traits>

#include "dialogs/content_impl.hpp"
#include "dialogs/icu_message.hpp"

namespace buurtlijn::dialogs {
namespace {

icu::Formattable to_formattable(const Argument& argument, bool right_to_left) {
  return std::visit(
      [right_to_left](const auto& value) -> icu::Formattable {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          icu::UnicodeString text = icu_message::to_unicode(value);
          return icu::Formattable(right_to_left ? isolate(text) : text);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return icu::Formattable(static_cast<int64_t>(value));
        } else if constexpr (std::is_same_v<T, double>) {
          return icu::Formattable(value);
        } else {
          const auto millis =
              std::chrono::duration_cast<std::chrono::milliseconds>(value.time_since_epoch());
          return icu::Formattable(static_cast<UDate>(millis.count()), icu::Formattable::kIsDate);
        }
      },
      argument);
}

}  // namespace

std::string ContentProblem::describe() const {
  std::string out = file.empty() ? std::string("content") : file;
  out += ":";
  if (!key.empty()) {
    out += " " + key;
  } else if (!node.empty()) {
    out += " " + node;
  }
  if (!language.empty()) out += " [" + language + "]";
  out += ": " + what;
  return out;
}

std::string ContentError::describe() const {
  std::string out;
  for (const ContentProblem& problem : problems) out += problem.describe() + "\n";
  return out;
}

std::string node_text_key(std::string_view node_id) {
  return "nodes." + std::string(node_id) + ".text";
}
std::string node_label_key(std::string_view node_id) {
  return "nodes." + std::string(node_id) + ".label";
}
std::string message_key(std::string_view message_id) {
  return "messages." + std::string(message_id);
}
std::string ui_key(std::string_view name) {
  return "ui." + std::string(name);
}

Content::Content(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Content::~Content() = default;

const std::vector<LanguageInfo>& Content::languages() const {
  return impl_->languages;
}

bool Content::has_language(std::string_view code) const {
  return impl_->language_index(code).has_value();
}

const LanguageInfo* Content::language(std::string_view code) const {
  const auto index = impl_->language_index(code);
  return index ? &impl_->languages[*index] : nullptr;
}

const std::vector<Node>& Content::nodes() const {
  return impl_->nodes;
}

const Node* Content::node(std::string_view id) const {
  const auto found = impl_->node_index.find(id);
  return found == impl_->node_index.end() ? nullptr : &impl_->nodes[found->second];
}

const Node& Content::root() const {
  return impl_->nodes[impl_->root];
}

const std::vector<std::string>& Content::messages() const {
  return impl_->messages;
}

std::vector<std::string> Content::fallback_chain(std::string_view language,
                                                 std::string_view second_language) const {
  std::vector<std::string> chain;
  for (std::string_view code :
       {language, second_language, std::string_view("en"), std::string_view("nl")}) {
    if (code.empty() || !has_language(code)) continue;
    if (std::find(chain.begin(), chain.end(), code) != chain.end()) continue;
    chain.emplace_back(code);
  }
  return chain;
}

std::optional<PatternRef> Content::lookup(std::string_view key, std::string_view language,
                                          std::string_view second_language) const {
  for (const std::string& code : fallback_chain(language, second_language)) {
    const std::size_t index = *impl_->language_index(code);
    const auto& entries = impl_->catalogs[index].entries;
    const auto found = entries.find(key);
    if (found == entries.end()) continue;
    return PatternRef{found->second.pattern, impl_->languages[index].code, code != language};
  }
  return std::nullopt;
}

tl::expected<LocalizedText, ContentProblem> Content::render(std::string_view key,
                                                            std::string_view language,
                                                            std::string_view second_language,
                                                            const Arguments& arguments) const {
  for (const std::string& code : fallback_chain(language, second_language)) {
    const std::size_t index = *impl_->language_index(code);
    const Catalog& catalog = impl_->catalogs[index];
    const auto found = catalog.entries.find(key);
    if (found == catalog.entries.end()) continue;
    const CatalogEntry& entry = found->second;
    const bool fallback = code != language;
    if (arguments.empty() && entry.rendered) return LocalizedText{*entry.rendered, code, fallback};

    const bool right_to_left = impl_->languages[index].right_to_left;
    std::vector<icu::UnicodeString> names;
    std::vector<icu::Formattable> values;
    names.reserve(catalog.shared_names.size() + arguments.size());
    values.reserve(catalog.shared_names.size() + arguments.size());
    for (std::size_t i = 0; i < catalog.shared_names.size(); ++i) {
      if (arguments.contains(icu_message::to_utf8(catalog.shared_names[i]))) continue;
      names.push_back(catalog.shared_names[i]);
      values.push_back(catalog.shared_values[i]);
    }
    for (const auto& [name, value] : arguments) {
      names.push_back(icu_message::to_unicode(name));
      values.push_back(to_formattable(value, right_to_left));
    }
    auto text = icu_message::format_message(*entry.prototype, names, values, *impl_->zone);
    if (!text) {
      return tl::unexpected(
          ContentProblem{code + ".yaml", "", std::string(key), code, text.error()});
    }
    return LocalizedText{std::move(*text), code, fallback};
  }
  return tl::unexpected(ContentProblem{"", "", std::string(key), std::string(language),
                                       "no text in any fallback language"});
}

const std::vector<ContentProblem>& Content::missing_translations() const {
  return impl_->missing_translations;
}

bool Content::is_menu_word(std::string_view folded) const {
  return impl_->menu_words.contains(folded);
}

bool Content::is_yes_word(std::string_view folded) const {
  return impl_->yes_words.contains(folded);
}

bool Content::is_no_word(std::string_view folded) const {
  return impl_->no_words.contains(folded);
}

std::optional<std::string_view> Content::language_by_name(std::string_view folded) const {
  const auto found = impl_->language_names.find(folded);
  if (found == impl_->language_names.end()) return std::nullopt;
  return std::string_view(found->second);
}

}  // namespace buurtlijn::dialogs
