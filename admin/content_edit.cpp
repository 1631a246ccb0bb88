// See content_edit.hpp.
#include "admin/content_edit.hpp"

#include <unicode/fmtable.h>
#include <unicode/msgfmt.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

#include "connectors/kannel/kannel.hpp"
#include "dialogs/content_check.hpp"

namespace buurtlijn::admin {
namespace {

std::vector<std::string> split_key(std::string_view key) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at <= key.size()) {
    std::size_t dot = key.find('.', at);
    if (dot == std::string_view::npos) dot = key.size();
    parts.emplace_back(key.substr(at, dot - at));
    at = dot + 1;
  }
  return parts;
}

std::vector<std::string> describe_all(const std::vector<dialogs::ContentProblem>& problems) {
  std::vector<std::string> out;
  out.reserve(problems.size());
  for (const auto& problem : problems) out.push_back(dialogs::describe_problem(problem));
  return out;
}

std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++count;
  }
  return count;
}

icu::UnicodeString unicode(std::string_view text) {
  return icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
}

}  // namespace

std::vector<std::string> node_keys(const dialogs::Node& node) {
  std::vector<std::string> keys;
  if (!node.parent.empty()) keys.push_back(dialogs::node_label_key(node.id));
  keys.push_back(dialogs::node_text_key(node.id));
  return keys;
}

tl::expected<ContentEditor, std::string> ContentEditor::create(Files base) {
  auto content = build(base);
  if (!content) return tl::unexpected(content.error());
  return create(std::move(base), std::move(*content));
}

tl::expected<ContentEditor, std::string> ContentEditor::create(
    Files base, std::shared_ptr<const dialogs::Content> parsed) {
  ContentEditor editor;
  editor.base_content_ = std::move(parsed);
  for (const auto& [name, text] : base) {
    if (name != "variables.yaml") continue;
    try {
      const YAML::Node document = YAML::Load(text);
      for (const auto& entry : document["texts"]) {
        editor.variable_texts_.emplace_back(entry.first.as<std::string>(),
                                            entry.second.as<std::string>());
      }
      for (const auto& entry : document["numbers"]) {
        editor.variable_numbers_.emplace_back(entry.first.as<std::string>(),
                                              entry.second.as<double>());
      }
    } catch (const YAML::Exception& error) {
      return tl::unexpected(std::string("variables.yaml: ") + error.what());
    }
  }
  editor.base_ = std::move(base);
  return editor;
}

tl::expected<std::shared_ptr<const dialogs::Content>, std::string> ContentEditor::build(
    const Files& files) {
  auto content = dialogs::parse_content(files);
  if (!content) return tl::unexpected(content.error().describe());
  return *content;
}

Files ContentEditor::apply(const std::vector<store::ContentOverride>& overrides) const {
  std::map<std::string, std::vector<const store::ContentOverride*>> by_file;
  for (const auto& entry : overrides) by_file[entry.language + ".yaml"].push_back(&entry);
  Files files = base_;
  for (auto& [name, text] : files) {
    const auto edits = by_file.find(name);
    if (edits == by_file.end()) continue;
    try {
      YAML::Node document = YAML::Load(text);
      for (const store::ContentOverride* edit : edits->second) {
        const auto parts = split_key(edit->key);
        YAML::Node node = document;
        for (std::size_t i = 0; i + 1 < parts.size(); ++i) node.reset(node[parts[i]]);
        node[parts.back()] = edit->text;
      }
      YAML::Emitter out;
      out << document;
      text = out.c_str();
    } catch (const YAML::Exception&) {
      // The base file parsed when the editor was created; keep it unchanged. The check
      // of the resulting content reports what is wrong.
    }
  }
  return files;
}

std::vector<std::string> ContentEditor::new_problems(const Files& files) const {
  std::call_once(base_problems_->once, [this] {
    base_problems_->problems = describe_all(dialogs::check_content(base_).problems);
    std::sort(base_problems_->problems.begin(), base_problems_->problems.end());
  });
  std::vector<std::string> found = describe_all(dialogs::check_content(files).problems);
  std::sort(found.begin(), found.end());
  const std::vector<std::string>& known = base_problems_->problems;
  std::vector<std::string> fresh;
  std::set_difference(found.begin(), found.end(), known.begin(), known.end(),
                      std::back_inserter(fresh));
  return fresh;
}

std::string ContentEditor::builtin_text(std::string_view language, std::string_view key) const {
  const auto found = base_content_->lookup(key, language);
  if (!found || found->fallback) return {};
  return std::string(found->pattern);
}

Preview ContentEditor::preview(std::string_view language, std::string_view key,
                               std::string_view pattern) const {
  Preview preview;
  UErrorCode status = U_ZERO_ERROR;
  const dialogs::LanguageInfo* info = base_content_->language(language);
  const icu::Locale locale(info != nullptr ? info->icu_locale.c_str() : "nl");
  icu::MessageFormat message(unicode(pattern), locale, status);
  if (U_FAILURE(status)) {
    preview.error = u_errorName(status);
    return preview;
  }
  std::vector<icu::UnicodeString> names;
  std::vector<icu::Formattable> values;
  for (const auto& [name, value] : variable_texts_) {
    names.push_back(unicode(name));
    values.emplace_back(unicode(value));
  }
  for (const auto& [name, value] : variable_numbers_) {
    names.push_back(unicode(name));
    values.emplace_back(value);
  }
  std::string languages;
  for (const auto& entry : base_content_->languages()) {
    languages += (languages.empty() ? "" : ", ") + entry.native_name;
  }
  names.push_back(unicode("languages"));
  values.emplace_back(unicode(languages));
  // Sample values for the arguments a node's caller passes.
  const auto parts = split_key(key);
  if (parts.size() == 3 && parts[0] == "nodes") {
    if (const dialogs::Node* node = base_content_->node(parts[1])) {
      for (const std::string& argument : node->arguments) {
        names.push_back(unicode(argument));
        values.emplace_back(static_cast<int64_t>(3));
      }
    }
  }
  icu::UnicodeString result;
  message.format(names.data(), values.data(), static_cast<int32_t>(values.size()), result, status);
  if (U_FAILURE(status)) {
    preview.error = u_errorName(status);
    return preview;
  }
  result.toUTF8String(preview.text);
  preview.chars = code_points(preview.text);
  const auto segments = connectors::kannel::count_segments(preview.text);
  preview.sms_segments = segments.count;
  preview.sms_unicode = segments.unicode;
  const bool label = !parts.empty() && parts.back() == "label";
  if (label && preview.chars > kWhatsappButtonChars)
    preview.warnings.emplace_back("editor.limit_button");
  if (label && preview.chars > kWhatsappListRowChars)
    preview.warnings.emplace_back("editor.limit_row");
  if (!label && preview.chars > dialogs::kMaxTextChars)
    preview.warnings.emplace_back("editor.limit_text");
  if (!label && segments.count > 3) preview.warnings.emplace_back("editor.limit_sms");
  return preview;
}

}  // namespace buurtlijn::admin
