// See status_texts.hpp. Each text is compiled once with icu::MessageFormat for its
// language and formatted on a clone, so a shared StatusTexts is safe across threads.
#include "cases/status_texts.hpp"

#include <unicode/fmtable.h>
#include <unicode/locid.h>
#include <unicode/msgfmt.h>
#include <unicode/unistr.h>
#include <yaml-cpp/yaml.h>

#include "cases/embedded_status_texts.hpp"

namespace buurtlijn::cases {

struct StatusTexts::Impl {
  // language -> key -> compiled prototype
  std::map<std::string, std::map<std::string, std::unique_ptr<icu::MessageFormat>>, std::less<>>
      catalogs;
  // language -> "section.key" -> text
  std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> plain;
};

const std::vector<std::string>& status_text_keys() {
  static const std::vector<std::string> keys{
      "received",           "planned",       "handled", "closed", "not_found", "photo_too_large",
      "photo_not_an_image", "photo_unusable"};
  return keys;
}

StatusTexts::StatusTexts() : impl_(std::make_unique<Impl>()) {}
StatusTexts::~StatusTexts() = default;
StatusTexts::StatusTexts(StatusTexts&&) noexcept = default;
StatusTexts& StatusTexts::operator=(StatusTexts&&) noexcept = default;

tl::expected<StatusTexts, std::string> StatusTexts::parse(
    const std::vector<std::pair<std::string_view, std::string_view>>& files) {
  StatusTexts texts;
  for (const auto& [name_view, text_view] : files) {
    const std::string name(name_view);
    const std::string text(text_view);
    if (name.size() < 6 || name.substr(name.size() - 5) != ".yaml") continue;
    const std::string language = name.substr(0, name.size() - 5);
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& error) {
      return tl::unexpected(name + ": not valid YAML: " + error.msg);
    }
    if (!root.IsMap()) return tl::unexpected(name + ": must be a mapping of texts");
    auto& catalog = texts.impl_->catalogs[language];
    for (const std::string& key : status_text_keys()) {
      const YAML::Node node = root[key];
      if (!node || !node.IsScalar()) return tl::unexpected(name + ": missing text '" + key + "'");
      UErrorCode status = U_ZERO_ERROR;
      UParseError parse_error;
      auto format =
          std::make_unique<icu::MessageFormat>(icu::UnicodeString::fromUTF8(node.as<std::string>()),
                                               icu::Locale(language.c_str()), parse_error, status);
      if (U_FAILURE(status)) {
        return tl::unexpected(name + ": text '" + key + "' is not valid MessageFormat (" +
                              u_errorName(status) + ")");
      }
      catalog[key] = std::move(format);
    }
    for (const auto& section : root) {
      if (!section.second.IsMap()) continue;
      const std::string section_name = section.first.as<std::string>();
      for (const auto& entry : section.second) {
        if (!entry.second.IsScalar()) {
          return tl::unexpected(name + ": " + section_name + "." + entry.first.as<std::string>() +
                                " must be a text");
        }
        texts.impl_->plain[language][section_name + "." + entry.first.as<std::string>()] =
            entry.second.as<std::string>();
      }
    }
  }
  if (texts.impl_->catalogs.count("nl") == 0) {
    return tl::unexpected(std::string("the Dutch status texts (nl.yaml) are missing"));
  }
  return texts;
}

tl::expected<StatusTexts, std::string> StatusTexts::embedded() {
  return parse(embedded_status_text_files());
}

std::string StatusTexts::resolved_language(std::string_view language) const {
  for (const std::string_view candidate :
       {language, std::string_view("en"), std::string_view("nl")}) {
    if (impl_->catalogs.find(candidate) != impl_->catalogs.end()) return std::string(candidate);
  }
  return "nl";
}

std::string StatusTexts::format(std::string_view language, std::string_view key,
                                std::int64_t number) const {
  const auto catalog = impl_->catalogs.find(resolved_language(language));
  if (catalog == impl_->catalogs.end()) return {};
  const auto text = catalog->second.find(std::string(key));
  if (text == catalog->second.end()) return {};
  std::unique_ptr<icu::Format> clone(text->second->clone());
  auto* message = static_cast<icu::MessageFormat*>(clone.get());
  const icu::UnicodeString names[] = {"number"};
  // A string, so that 4821 is never written "4.821" or in other digits.
  const icu::Formattable values[] = {
      icu::Formattable(icu::UnicodeString::fromUTF8(std::to_string(number)))};
  icu::UnicodeString out;
  UErrorCode status = U_ZERO_ERROR;
  message->format(names, values, 1, out, status);
  if (U_FAILURE(status)) return {};
  std::string utf8;
  out.toUTF8String(utf8);
  return utf8;
}

std::string StatusTexts::plain(std::string_view language, std::string_view key) const {
  for (const std::string_view candidate :
       {language, std::string_view("en"), std::string_view("nl")}) {
    const auto catalog = impl_->plain.find(candidate);
    if (catalog == impl_->plain.end()) continue;
    const auto text = catalog->second.find(key);
    if (text != catalog->second.end()) return text->second;
  }
  return {};
}

std::vector<std::string> StatusTexts::languages() const {
  std::vector<std::string> list;
  for (const auto& [language, catalog] : impl_->catalogs) list.push_back(language);
  return list;
}

}  // namespace buurtlijn::cases
