// See notification_catalog.hpp.
#include "dialogs/notification_catalog.hpp"

#include <unicode/locid.h>
#include <unicode/timezone.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

#include "dialogs/content_impl.hpp"
#include "dialogs/icu_message.hpp"

namespace buurtlijn::dialogs {

struct NotificationCatalog::Impl {
  struct Text {
    std::string pattern;
    std::shared_ptr<const icu::MessageFormat> prototype;
    std::vector<std::string> arguments;
  };
  struct Language {
    std::string code;
    bool right_to_left = false;
    std::map<std::string, Text, std::less<>> messages;
    std::map<std::string, Text, std::less<>> templates;
    std::map<std::string, std::vector<std::string>, std::less<>> keywords;
  };
  std::vector<Language> languages;  // kNotificationLanguages order
  std::map<std::string, std::vector<std::string>, std::less<>> template_arguments;
  std::unique_ptr<icu::TimeZone> zone;

  const Language* language(std::string_view code) const {
    for (const Language& l : languages) {
      if (l.code == code) return &l;
    }
    return nullptr;
  }
};

namespace {

bool is_rtl_language(std::string_view code) {
  return code == "ar" || code == "fa";
}

bool first_strong_is_latin(std::string_view text) {
  const icu::UnicodeString u = icu_message::to_unicode(text);
  for (int32_t i = 0; i < u.length();) {
    const UChar32 c = u.char32At(i);
    i += U16_LENGTH(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return true;
    if (c >= 0x0590) return false;
  }
  return false;
}

using Text = NotificationCatalog::Impl::Text;
using Problems = std::vector<ContentProblem>;

void problem(Problems& problems, std::string_view file, std::string_view key,
             std::string_view language, std::string what) {
  problems.push_back(ContentProblem{
      std::string(file), {}, std::string(key), std::string(language), std::move(what)});
}

void read_texts(const YAML::Node& node, std::string_view section, std::string_view file,
                std::string_view code, const icu::Locale& locale,
                std::map<std::string, Text, std::less<>>& out, Problems& problems) {
  if (!node) {
    problem(problems, file, section, code, "missing section");
    return;
  }
  if (!node.IsMap()) {
    problem(problems, file, section, code, "must be a mapping of texts");
    return;
  }
  const auto plural = icu_message::plural_keywords(locale);
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    const std::string full_key = std::string(section) + "." + key;
    if (!entry.second.IsScalar()) {
      problem(problems, file, full_key, code, "must be a text");
      continue;
    }
    const std::string pattern = entry.second.Scalar();
    if (pattern.empty()) {
      problem(problems, file, full_key, code, "empty text");
      continue;
    }
    if (!icu_message::is_valid_utf8(pattern)) {
      problem(problems, file, full_key, code, "not valid UTF-8");
      continue;
    }
    if (is_rtl_language(code) && first_strong_is_latin(pattern)) {
      problem(problems, file, full_key, code, "right-to-left text begins with a Latin word");
    }
    auto compiled = icu_message::compile_message(pattern, locale, plural);
    if (!compiled) {
      problem(problems, file, full_key, code, "MessageFormat: " + compiled.error());
      continue;
    }
    out[key] =
        Text{pattern, std::shared_ptr<const icu::MessageFormat>(std::move(compiled->prototype)),
             std::move(compiled->arguments)};
  }
}

tl::expected<LocalizedText, std::string> format(
    const NotificationCatalog::Impl& impl, const NotificationCatalog::Impl::Language& language,
    const Text& text, std::string_view requested,
    const std::map<std::string, std::string, std::less<>>& args) {
  std::vector<icu::UnicodeString> names;
  std::vector<icu::Formattable> values;
  for (const std::string& name : text.arguments) {
    const auto found = args.find(name);
    if (found == args.end()) return tl::unexpected("missing parameter '" + name + "'");
    names.push_back(icu_message::to_unicode(name));
    icu::UnicodeString value = icu_message::to_unicode(found->second);
    values.emplace_back(language.right_to_left ? isolate(value) : value);
  }
  auto formatted = icu_message::format_message(*text.prototype, names, values, *impl.zone);
  if (!formatted) return tl::unexpected(formatted.error());
  return LocalizedText{std::move(*formatted), language.code, language.code != requested};
}

}  // namespace

NotificationCatalog::NotificationCatalog(std::unique_ptr<const Impl> impl)
    : impl_(std::move(impl)) {}
NotificationCatalog::~NotificationCatalog() = default;

bool NotificationCatalog::has_language(std::string_view code) const {
  return impl_->language(code) != nullptr;
}

bool NotificationCatalog::right_to_left(std::string_view code) const {
  const Impl::Language* language = impl_->language(code);
  return language != nullptr && language->right_to_left;
}

std::vector<std::string> NotificationCatalog::fallback_chain(
    std::string_view language, std::string_view second_language) const {
  std::vector<std::string> chain;
  for (std::string_view code :
       {language, second_language, std::string_view("en"), std::string_view("nl")}) {
    if (code.empty() || !has_language(code)) continue;
    if (std::find(chain.begin(), chain.end(), code) != chain.end()) continue;
    chain.emplace_back(code);
  }
  return chain;
}

std::vector<std::string> NotificationCatalog::template_keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, arguments] : impl_->template_arguments) keys.push_back(key);
  return keys;
}

const std::vector<std::string>* NotificationCatalog::template_arguments(
    std::string_view key) const {
  const auto found = impl_->template_arguments.find(key);
  return found == impl_->template_arguments.end() ? nullptr : &found->second;
}

tl::expected<LocalizedText, std::string> NotificationCatalog::render_message(
    std::string_view id, std::string_view language, std::string_view second_language) const {
  for (const std::string& code : fallback_chain(language, second_language)) {
    const Impl::Language& l = *impl_->language(code);
    const auto found = l.messages.find(id);
    if (found == l.messages.end()) continue;
    return format(*impl_, l, found->second, language, {});
  }
  return tl::unexpected("no language has the message '" + std::string(id) + "'");
}

tl::expected<LocalizedText, std::string> NotificationCatalog::render_template(
    std::string_view key, std::string_view language, std::string_view second_language,
    const std::map<std::string, std::string, std::less<>>& arguments) const {
  for (const std::string& code : fallback_chain(language, second_language)) {
    const Impl::Language& l = *impl_->language(code);
    const auto found = l.templates.find(key);
    if (found == l.templates.end()) continue;
    return format(*impl_, l, found->second, language, arguments);
  }
  return tl::unexpected("unknown template '" + std::string(key) + "'");
}

const std::vector<std::string>& NotificationCatalog::keywords(std::string_view language,
                                                              std::string_view list) const {
  static const std::vector<std::string> none;
  const Impl::Language* l = impl_->language(language);
  if (l == nullptr) return none;
  const auto found = l->keywords.find(list);
  return found == l->keywords.end() ? none : found->second;
}

tl::expected<std::shared_ptr<const NotificationCatalog>, ContentError> parse_notification_catalog(
    const std::vector<std::pair<std::string, std::string>>& files) {
  Problems problems;
  auto impl = std::make_unique<NotificationCatalog::Impl>();
  impl->zone.reset(icu::TimeZone::createTimeZone("Europe/Amsterdam"));
  std::map<std::string, const std::string*, std::less<>> by_code;
  for (const auto& [name, text] : files) {
    if (name.size() < 5 || name.substr(name.size() - 5) != ".yaml") continue;
    const std::string code = name.substr(0, name.size() - 5);
    if (std::find(std::begin(kNotificationLanguages), std::end(kNotificationLanguages), code) ==
        std::end(kNotificationLanguages)) {
      problem(problems, name, {}, {}, "not one of the 16 languages");
      continue;
    }
    by_code[code] = &text;
  }
  for (std::string_view code : kNotificationLanguages) {
    const std::string file = std::string(code) + ".yaml";
    const auto found = by_code.find(code);
    if (found == by_code.end()) {
      problem(problems, file, {}, code, "missing notification catalog");
      continue;
    }
    YAML::Node root;
    try {
      root = YAML::Load(*found->second);
    } catch (const YAML::Exception& error) {
      problem(problems, file, {}, code,
              "not valid YAML at line " + std::to_string(error.mark.line + 1) + ": " + error.msg);
      continue;
    }
    if (!root.IsMap()) {
      problem(problems, file, {}, code, "the top level must be a mapping");
      continue;
    }
    NotificationCatalog::Impl::Language language;
    language.code = std::string(code);
    const icu::Locale locale(language.code.c_str());
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>();
      if (key != "language" && key != "right_to_left" && key != "keywords" && key != "messages" &&
          key != "templates") {
        problem(problems, file, key, code, "unknown key");
      }
    }
    if (!root["language"] || !root["language"].IsScalar() || root["language"].Scalar() != code) {
      problem(problems, file, "language", code, "must be '" + language.code + "'");
    }
    language.right_to_left = root["right_to_left"] && root["right_to_left"].IsScalar() &&
                             root["right_to_left"].Scalar() == "true";
    if (language.right_to_left != is_rtl_language(code)) {
      problem(problems, file, "right_to_left", code, "does not fit the language");
    }
    const YAML::Node keywords = root["keywords"];
    for (std::string_view list : kKeywordLists) {
      const std::string key = "keywords." + std::string(list);
      const YAML::Node words = keywords ? keywords[std::string(list)] : YAML::Node();
      if (!words || !words.IsSequence() || words.size() == 0) {
        problem(problems, file, key, code, "missing keyword list");
        continue;
      }
      std::vector<std::string>& folded = language.keywords[std::string(list)];
      for (const auto& word : words) {
        const std::string text = word.IsScalar() ? word.Scalar() : std::string();
        const std::string f = icu_message::is_valid_utf8(text) ? fold_for_matching(text) : "";
        if (f.empty()) {
          problem(problems, file, key, code, "empty or invalid keyword");
          continue;
        }
        folded.push_back(f);
      }
    }
    read_texts(root["messages"], "messages", file, code, locale, language.messages, problems);
    read_texts(root["templates"], "templates", file, code, locale, language.templates, problems);
    for (std::string_view id : kSubscriptionMessages) {
      if (language.messages.find(id) == language.messages.end() && root["messages"] &&
          root["messages"].IsMap()) {
        problem(problems, file, "messages." + std::string(id), code, "missing text");
      }
    }
    for (const auto& [id, text] : language.messages) {
      if (std::find(std::begin(kSubscriptionMessages), std::end(kSubscriptionMessages), id) ==
          std::end(kSubscriptionMessages)) {
        problem(problems, file, "messages." + id, code, "unknown message");
      } else if (!text.arguments.empty()) {
        problem(problems, file, "messages." + id, code, "takes no placeholders");
      }
    }
    impl->languages.push_back(std::move(language));
  }
  // Templates: the Dutch set is the reference; every language has the same keys with the
  // same placeholders.
  if (!impl->languages.empty() && impl->languages.front().code == "nl") {
    for (const auto& [key, text] : impl->languages.front().templates) {
      impl->template_arguments[key] = text.arguments;
    }
    for (const auto& language : impl->languages) {
      const std::string file = language.code + ".yaml";
      for (const auto& [key, arguments] : impl->template_arguments) {
        const auto found = language.templates.find(key);
        if (found == language.templates.end()) {
          problem(problems, file, "templates." + key, language.code, "missing text");
        } else if (found->second.arguments != arguments) {
          std::string expected;
          for (const std::string& a : arguments) {
            expected += (expected.empty() ? "{" : ", {") + a + "}";
          }
          problem(problems, file, "templates." + key, language.code,
                  "placeholders differ from nl (expected " + expected + ")");
        }
      }
      for (const auto& [key, text] : language.templates) {
        if (impl->template_arguments.find(key) == impl->template_arguments.end()) {
          problem(problems, file, "templates." + key, language.code, "not in nl.yaml");
        }
      }
    }
  }
  if (!problems.empty()) return tl::unexpected(ContentError{std::move(problems)});
  return std::shared_ptr<const NotificationCatalog>(
      std::make_shared<NotificationCatalog>(std::move(impl)));
}

}  // namespace buurtlijn::dialogs
