// See ui_text.hpp.
#include "admin/ui_text.hpp"

#include <unicode/fmtable.h>
#include <unicode/msgfmt.h>
#include <yaml-cpp/yaml.h>

#include <memory>
#include <stdexcept>

#include "admin/embedded_locales.hpp"

namespace buurtlijn::admin {
namespace {

void flatten(const YAML::Node& node, const std::string& prefix,
             std::map<std::string, std::string, std::less<>>& out) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string key = entry.first.as<std::string>();
      flatten(entry.second, prefix.empty() ? key : prefix + "." + key, out);
    }
  } else if (node.IsScalar()) {
    out[prefix] = node.as<std::string>();
  }
}

icu::UnicodeString unicode(std::string_view text) {
  return icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
}

tl::expected<std::string, std::string> format(std::string_view pattern, std::string_view language,
                                              const UiArguments& arguments) {
  UErrorCode status = U_ZERO_ERROR;
  icu::MessageFormat message(unicode(pattern), icu::Locale(std::string(language).c_str()), status);
  if (U_FAILURE(status)) return tl::unexpected(std::string(u_errorName(status)));
  std::vector<icu::UnicodeString> names;
  std::vector<icu::Formattable> values;
  for (const auto& [name, value] : arguments) {
    names.push_back(unicode(name));
    if (const auto* text = std::get_if<std::string>(&value)) {
      values.emplace_back(unicode(*text));
    } else {
      values.emplace_back(static_cast<int64_t>(std::get<std::int64_t>(value)));
    }
  }
  icu::UnicodeString result;
  message.format(names.data(), values.data(), static_cast<int32_t>(values.size()), result, status);
  if (U_FAILURE(status)) return tl::unexpected(std::string(u_errorName(status)));
  std::string out;
  result.toUTF8String(out);
  return out;
}

}  // namespace

tl::expected<UiText, std::string> UiText::parse(
    const std::vector<std::pair<std::string, std::string>>& files) {
  UiText ui;
  std::string problems;
  for (const auto& [name, text] : files) {
    if (name.size() < 6 || name.substr(name.size() - 5) != ".yaml") continue;
    const std::string code = name.substr(0, name.size() - 5);
    try {
      flatten(YAML::Load(text), "", ui.patterns_[code]);
      ui.languages_.push_back(code);
    } catch (const YAML::Exception& error) {
      problems += name + ": " + error.what() + "\n";
    }
  }
  const auto dutch = ui.patterns_.find("nl");
  if (dutch == ui.patterns_.end()) return tl::unexpected(problems + "nl.yaml is missing\n");
  for (const auto& [code, patterns] : ui.patterns_) {
    for (const auto& [key, pattern] : patterns) {
      UErrorCode status = U_ZERO_ERROR;
      icu::MessageFormat compiled(unicode(pattern), icu::Locale(code.c_str()), status);
      if (U_FAILURE(status)) problems += code + ".yaml: " + key + ": does not compile\n";
    }
    for (const auto& [key, pattern] : dutch->second) {
      if (patterns.find(key) == patterns.end()) problems += code + ".yaml: " + key + ": missing\n";
    }
  }
  if (!problems.empty()) return tl::unexpected(problems);
  return ui;
}

const UiText& UiText::embedded() {
  static const UiText text = [] {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& [name, bytes] : embedded_locale_files()) {
      files.emplace_back(std::string(name), std::string(bytes));
    }
    auto parsed = parse(files);
    if (!parsed) throw std::runtime_error("locales/admin: " + parsed.error());
    return std::move(*parsed);
  }();
  return text;
}

bool UiText::has_language(std::string_view language) const {
  return patterns_.find(language) != patterns_.end();
}

std::string UiText::get(std::string_view language, std::string_view key,
                        const UiArguments& arguments) const {
  auto catalog = patterns_.find(language);
  if (catalog == patterns_.end()) catalog = patterns_.find("nl");
  const auto pattern = catalog->second.find(key);
  if (pattern == catalog->second.end()) return std::string(key);
  auto text = format(pattern->second, catalog->first, arguments);
  return text ? *text : std::string(key);
}

std::vector<std::string> UiText::keys(std::string_view prefix) const {
  std::vector<std::string> out;
  const auto catalog = patterns_.find("nl");
  for (const auto& [key, pattern] : catalog->second) {
    if (key.substr(0, prefix.size()) == prefix) out.push_back(key);
  }
  return out;
}

}  // namespace buurtlijn::admin
