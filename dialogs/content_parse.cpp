// parse_content(): turns the files read by content_files.cpp into an immutable
// Content. Compiles every text with ICU MessageFormat for its locale, checks
// placeholders, plural keywords, lengths and direction, renders the static texts and
// collects the words matched whole (menu words, language names). yaml-cpp and ICU
// errors stop here: nothing throws out of parse_content(). Thread-safe: it shares
// nothing with other calls.
#include <unicode/uchar.h>

#include <algorithm>
#include <set>

#include "dialogs/content.hpp"
#include "dialogs/content_files.hpp"
#include "dialogs/content_impl.hpp"
#include "dialogs/icu_message.hpp"
#include "dialogs/understanding.hpp"

namespace buurtlijn::dialogs {
namespace {

using content_files::check_tree;
using content_files::kLanguagesVariable;
using content_files::kTreeFile;
using content_files::kVariablesFile;
using content_files::load_yaml;
using content_files::node_of_key;
using content_files::Problems;
using content_files::RawCatalog;
using content_files::RawText;
using content_files::read_catalog;
using content_files::read_tree;
using content_files::read_variables;
using content_files::Tree;
using content_files::Variables;
using Files = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kTimeZone = "Europe/Amsterdam";

// The text keys every catalog has, and the arguments each may use besides the shared ones.
std::vector<std::pair<std::string, std::vector<std::string>>> expected_keys(const Tree& tree) {
  std::vector<std::pair<std::string, std::vector<std::string>>> keys;
  for (std::string_view name : kUiKeys) keys.emplace_back(ui_key(name), std::vector<std::string>{});
  for (const auto& [id, arguments] : tree.messages) keys.emplace_back(message_key(id), arguments);
  for (const Node& node : tree.nodes) {
    keys.emplace_back(node_label_key(node.id), std::vector<std::string>{});
    keys.emplace_back(node_text_key(node.id), node.arguments);
  }
  return keys;
}

bool is_label(std::string_view key) {
  return key.ends_with(".label");
}

// Whether a right-to-left text would be laid out left to right by an app that takes the
// direction from the first strong character (WhatsApp, SMS): it holds right-to-left
// letters but starts with a Latin word. Isolated arguments do not count (UBA rule P2).
bool starts_left_to_right(std::string_view utf8) {
  const icu::UnicodeString text = icu_message::to_unicode(utf8);
  int depth = 0;
  std::optional<UCharDirection> first;
  bool has_right_to_left = false;
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
    const UCharDirection direction = u_charDirection(text.char32At(i));
    if (direction == U_FIRST_STRONG_ISOLATE || direction == U_LEFT_TO_RIGHT_ISOLATE ||
        direction == U_RIGHT_TO_LEFT_ISOLATE) {
      ++depth;
    } else if (direction == U_POP_DIRECTIONAL_ISOLATE) {
      depth = std::max(0, depth - 1);
    } else if (direction == U_RIGHT_TO_LEFT || direction == U_RIGHT_TO_LEFT_ARABIC) {
      has_right_to_left = true;
      if (depth == 0 && !first) first = direction;
    } else if (direction == U_LEFT_TO_RIGHT && depth == 0 && !first) {
      first = direction;
    }
  }
  return has_right_to_left && first == U_LEFT_TO_RIGHT;
}

// Compiles, checks and (when it needs no caller arguments) renders one text.
std::optional<CatalogEntry> build_entry(const RawCatalog& raw, const Catalog& catalog,
                                        const std::set<std::string, std::less<>>& keywords,
                                        const std::set<std::string, std::less<>>& shared,
                                        const std::string& key, const RawText& text,
                                        const std::vector<std::string>& declared,
                                        const icu::TimeZone& zone, Problems& problems) {
  const std::string& code = raw.info.code;
  const std::string node(node_of_key(key));
  auto compiled = icu_message::compile_message(text.pattern, catalog.locale, keywords);
  if (!compiled) {
    problems.add(raw.file, node, key, code, compiled.error() + text.line);
    return std::nullopt;
  }
  bool usable = true;
  bool needs_caller = false;
  for (const std::string& argument : compiled->arguments) {
    if (std::find(declared.begin(), declared.end(), argument) != declared.end()) {
      needs_caller = true;
    } else if (!shared.contains(argument)) {
      problems.add(raw.file, node, key, code,
                   "unknown placeholder {" + argument + "}: not in variables.yaml" +
                       (declared.empty() ? "" : " nor declared in tree.yaml") + text.line);
      usable = false;
    }
  }
  if (!usable) return std::nullopt;

  CatalogEntry entry;
  entry.pattern = text.pattern;
  entry.arguments = std::move(compiled->arguments);
  entry.prototype = std::move(compiled->prototype);
  if (needs_caller) return entry;

  auto rendered = icu_message::format_message(*entry.prototype, catalog.shared_names,
                                              catalog.shared_values, zone);
  if (!rendered) {
    problems.add(raw.file, node, key, code, rendered.error() + text.line);
    return std::nullopt;
  }
  const std::size_t length = icu_message::count_code_points(*rendered);
  if (rendered->find_first_not_of(" \t\r\n") == std::string::npos) {
    problems.add(raw.file, node, key, code, "empty text" + text.line);
  } else if (rendered->find_first_of("{}") != std::string::npos) {
    problems.add(raw.file, node, key, code,
                 "a brace survives formatting: an apostrophe before { quotes it" + text.line);
  } else if (is_label(key) && rendered->find('\n') != std::string::npos) {
    problems.add(raw.file, node, key, code, "a label is one line" + text.line);
  } else if (is_label(key) && length > kMaxLabelChars) {
    problems.add(raw.file, node, key, code,
                 "label has " + std::to_string(length) + " characters, more than " +
                     std::to_string(kMaxLabelChars) + text.line);
  } else if (length > kMaxTextChars) {
    problems.add(raw.file, node, key, code,
                 "text has " + std::to_string(length) + " characters, more than " +
                     std::to_string(kMaxTextChars) + text.line);
  } else if (raw.info.right_to_left && starts_left_to_right(*rendered)) {
    problems.add(raw.file, node, key, code,
                 "begins with a left-to-right word: apps would show it left to right" + text.line);
  }
  entry.rendered = std::move(*rendered);
  return entry;
}

// The built-in {languages}: every native name, each isolated in right-to-left text,
// joined with the catalog's separator. Not an ICU "and" list: its conjunction would be
// glued to names in other scripts (Tigrinya's suffix ን, Arabic's prefix و).
icu::UnicodeString language_list(const std::vector<RawCatalog>& raws, const RawCatalog& reader) {
  icu::UnicodeString out;
  const icu::UnicodeString separator = icu_message::to_unicode(reader.list_separator);
  for (const RawCatalog& raw : raws) {
    if (!out.isEmpty()) out += separator;
    const icu::UnicodeString name = icu_message::to_unicode(raw.info.native_name);
    out += reader.info.right_to_left ? isolate(name) : name;
  }
  return out;
}

// The shared variables as ICU arguments for one language.
void add_shared_variables(const Variables& variables, const std::vector<RawCatalog>& raws,
                          const RawCatalog& raw, Catalog& catalog) {
  const bool rtl = raw.info.right_to_left;
  for (const auto& [name, value] : variables.texts) {
    const icu::UnicodeString text = icu_message::to_unicode(value);
    catalog.shared_names.push_back(icu_message::to_unicode(name));
    catalog.shared_values.emplace_back(rtl ? isolate(text) : text);
  }
  for (const auto& [name, value] : variables.numbers) {
    catalog.shared_names.push_back(icu_message::to_unicode(name));
    catalog.shared_values.push_back(value);
  }
  catalog.shared_names.push_back(icu_message::to_unicode(kLanguagesVariable));
  catalog.shared_values.emplace_back(language_list(raws, raw));
}

// Compiles one language's catalog into `impl`; a text it lacks is a missing translation
// (an error in Dutch, the last fallback).
void add_catalog(const RawCatalog& raw, const std::vector<RawCatalog>& raws, const Tree& tree,
                 const Variables& variables, Content::Impl& impl, Problems& problems) {
  Catalog catalog;
  UErrorCode status = U_ZERO_ERROR;
  catalog.locale = icu::Locale::forLanguageTag(raw.info.icu_locale, status);
  if (U_FAILURE(status) || catalog.locale.isBogus() ||
      std::string_view(catalog.locale.getLanguage()) != raw.info.code) {
    problems.add(raw.file, "", "locale", raw.info.code,
                 "\"" + raw.info.icu_locale + "\" is not a locale of this language");
    return;
  }
  add_shared_variables(variables, raws, raw, catalog);

  const auto keywords = icu_message::plural_keywords(catalog.locale);
  LanguageInfo info = raw.info;
  for (const auto& [key, declared] : expected_keys(tree)) {
    const auto text = raw.texts.find(key);
    if (text == raw.texts.end()) {
      const std::string node(node_of_key(key));
      if (raw.info.code == "nl") {
        problems.add(raw.file, node, key, raw.info.code, "missing, and nl is the last fallback");
      } else {
        impl.missing_translations.push_back(
            ContentProblem{raw.file, node, key, raw.info.code, "missing translation"});
      }
      continue;
    }
    auto entry = build_entry(raw, catalog, keywords, variables.names, key, text->second, declared,
                             *impl.zone, problems);
    if (!entry) continue;
    if (key.starts_with("ui.") && entry->rendered) info.ui.emplace(key.substr(3), *entry->rendered);
    catalog.entries.emplace(key, std::move(*entry));
  }
  impl.languages.push_back(std::move(info));
  impl.catalogs.push_back(std::move(catalog));
}

// The web chat page gets every ui string; a missing one comes from en, then nl.
void fill_missing_ui(Content::Impl& impl) {
  for (LanguageInfo& info : impl.languages) {
    for (std::string_view name : kUiKeys) {
      if (info.ui.contains(name)) continue;
      for (std::string_view code : {"en", "nl"}) {
        const auto index = impl.language_index(code);
        if (!index) continue;
        const auto& ui = impl.languages[*index].ui;
        if (const auto found = ui.find(name); found != ui.end()) {
          info.ui.emplace(std::string(name), found->second);
          break;
        }
      }
    }
  }
}

// Every language uses the same placeholders as Dutch in each text.
void check_placeholders(const Content::Impl& impl, Problems& problems) {
  const auto nl = impl.language_index("nl");
  if (!nl) return;
  auto list = [](const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += "{" + name + "}";
    return out.empty() ? std::string("none") : out;
  };
  const Catalog& dutch = impl.catalogs[*nl];
  for (std::size_t i = 0; i < impl.catalogs.size(); ++i) {
    if (i == *nl) continue;
    for (const auto& [key, entry] : impl.catalogs[i].entries) {
      const auto reference = dutch.entries.find(key);
      if (reference == dutch.entries.end() || reference->second.arguments == entry.arguments) {
        continue;
      }
      const std::string& code = impl.languages[i].code;
      problems.add(code + ".yaml", node_of_key(key), key, code,
                   "placeholders " + list(entry.arguments) + " differ from nl " +
                       list(reference->second.arguments));
    }
  }
}

// Whole-message words: the languages' own names and the menu words of every language.
void add_matching_words(const std::vector<RawCatalog>& raws, Content::Impl& impl,
                        Problems& problems) {
  for (const RawCatalog& raw : raws) {
    const std::string folded = fold_for_matching(raw.info.native_name);
    const auto [it, inserted] = impl.language_names.emplace(folded, raw.info.code);
    if (!inserted || folded.empty()) {
      problems.add(raw.file, "", "name", raw.info.code,
                   "name is empty or reads like the name of " + it->second);
    }
  }
  for (const RawCatalog& raw : raws) {
    for (const std::string& word : raw.menu_words) {
      const std::string folded = fold_for_matching(word);
      if (folded.empty() ||
          std::all_of(folded.begin(), folded.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        problems.add(raw.file, "", "menu_words", raw.info.code,
                     "\"" + word + "\" is empty or a number");
      } else if (impl.language_names.contains(folded)) {
        problems.add(raw.file, "", "menu_words", raw.info.code,
                     "\"" + word + "\" reads like a language name");
      } else {
        impl.menu_words.insert(folded);
      }
    }
  }
  // Yes and no words of every language; a word that is yes in one language and no in
  // another is neither (the buttons and the numbers 1 and 2 still work).
  for (const RawCatalog& raw : raws) {
    for (const std::string& word : raw.yes_words) impl.yes_words.insert(fold_for_matching(word));
    for (const std::string& word : raw.no_words) impl.no_words.insert(fold_for_matching(word));
  }
  for (auto it = impl.yes_words.begin(); it != impl.yes_words.end();) {
    if (it->empty() || impl.no_words.erase(*it) > 0) {
      it = impl.yes_words.erase(it);
    } else {
      ++it;
    }
  }
  impl.no_words.erase("");
}

// Reads the files: tree and variables first, then one catalog per language of the tree.
struct ReadFiles {
  Tree tree;
  Variables variables;
  std::vector<RawCatalog> catalogs;
};

std::optional<ReadFiles> read_files(const Files& files, Problems& problems) {
  std::map<std::string, std::string_view, std::less<>> by_name;
  for (const auto& [name, text] : files) {
    if (!name.ends_with(".yaml")) continue;
    if (!by_name.emplace(name, text).second) problems.add(name, "", "", "", "file given twice");
  }
  auto load = [&](std::string_view name) -> std::optional<YAML::Node> {
    const auto found = by_name.find(name);
    if (found != by_name.end()) return load_yaml(name, found->second, problems);
    problems.add(name, "", "", "", "file missing");
    return std::nullopt;
  };
  const auto tree_yaml = load(kTreeFile);
  const auto variables_yaml = load(kVariablesFile);
  if (!tree_yaml || !variables_yaml) return std::nullopt;

  ReadFiles read{read_tree(*tree_yaml, problems), read_variables(*variables_yaml, problems), {}};
  check_tree(read.tree, problems);
  const auto& languages = read.tree.languages;
  for (const auto& [name, text] : by_name) {
    if (name == kTreeFile || name == kVariablesFile) continue;
    const std::string code = name.substr(0, name.size() - 5);
    if (std::find(languages.begin(), languages.end(), code) == languages.end()) {
      problems.add(name, "", "", code, "not a language of tree.yaml");
    }
  }
  for (const std::string& code : languages) {
    const std::string file = code + ".yaml";
    const auto found = by_name.find(file);
    if (found == by_name.end()) {
      problems.add(file, "", "", code, "catalog missing");
    } else if (auto document = load_yaml(file, found->second, problems)) {
      read.catalogs.push_back(read_catalog(code, file, *document, read.tree, problems));
    }
  }
  return read;
}

tl::expected<std::shared_ptr<const Content>, ContentError> build(const Files& files) {
  Problems problems;
  std::optional<ReadFiles> read = read_files(files, problems);
  if (!read || !problems.empty()) return tl::unexpected(ContentError{problems.take()});

  auto impl = std::make_unique<Content::Impl>();
  impl->zone.reset(icu::TimeZone::createTimeZone(icu_message::to_unicode(kTimeZone)));
  for (const RawCatalog& raw : read->catalogs) {
    add_catalog(raw, read->catalogs, read->tree, read->variables, *impl, problems);
  }
  fill_missing_ui(*impl);
  check_placeholders(*impl, problems);
  add_matching_words(read->catalogs, *impl, problems);
  if (!problems.empty()) return tl::unexpected(ContentError{problems.take()});

  impl->nodes = std::move(read->tree.nodes);
  for (std::size_t i = 0; i < impl->nodes.size(); ++i) {
    impl->node_index.emplace(impl->nodes[i].id, i);
    if (impl->nodes[i].id == read->tree.root) impl->root = i;
  }
  for (const auto& [id, arguments] : read->tree.messages) impl->messages.push_back(id);
  impl->understanding = build_understanding(read->catalogs, *impl);
  return std::make_shared<const Content>(std::move(impl));
}

}  // namespace

tl::expected<std::shared_ptr<const Content>, ContentError> parse_content(const Files& files) {
  try {
    return build(files);
  } catch (const YAML::Exception& error) {
    return tl::unexpected(ContentError{{ContentProblem{
        "", "", "", "",
        "YAML error at line " + std::to_string(error.mark.line + 1) + ": " + error.msg}}});
  } catch (const std::exception& error) {
    return tl::unexpected(ContentError{{ContentProblem{"", "", "", "", error.what()}}});
  }
}

}  // namespace buurtlijn::dialogs
