// See translations.hpp.
#include "admin/translations.hpp"

#include "admin/content_edit.hpp"

namespace buurtlijn::admin {
namespace {

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string own_text(const dialogs::Content& content, std::string_view key,
                     std::string_view language) {
  const auto found = content.lookup(key, language);
  if (!found || found->fallback) return {};
  return std::string(found->pattern);
}

// The text inside one quoted PO string, unescaped; nullopt when it is not one.
std::optional<std::string> unquote(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r')) text.remove_suffix(1);
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return std::nullopt;
  text = text.substr(1, text.size() - 2);
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      if (text[i] == '"') return std::nullopt;
      out += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    switch (text[i]) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        return std::nullopt;
    }
  }
  return out;
}

}  // namespace

std::string export_po(const dialogs::Content& content, std::string_view language,
                      const std::set<std::string, std::less<>>& needs_review) {
  std::string out;
  out += "# Buurtlijn texts for translation. msgctxt is the text key: keep it as it is.\n";
  out += "# {name} are values filled in by Buurtlijn: keep them as they are.\n";
  out += "msgid \"\"\nmsgstr \"\"\n";
  out += "\"Language: " + std::string(language) + "\\n\"\n";
  out += "\"Content-Type: text/plain; charset=UTF-8\\n\"\n";
  out += "\"Content-Transfer-Encoding: 8bit\\n\"\n";
  std::vector<std::string> keys;
  for (const dialogs::Node& node : content.nodes()) {
    for (std::string& key : node_keys(node)) keys.push_back(std::move(key));
  }
  for (const std::string& message : content.messages())
    keys.push_back(dialogs::message_key(message));
  for (const std::string& key : keys) {
    const std::string dutch = own_text(content, key, "nl");
    std::string english = own_text(content, key, "en");
    if (english.empty()) english = dutch;
    out += "\n#. nl: " + dutch + "\n";
    if (needs_review.count(key) != 0) out += "#, fuzzy\n";
    out += "msgctxt " + quote(key) + "\n";
    out += "msgid " + quote(english) + "\n";
    out += "msgstr " + quote(own_text(content, key, language)) + "\n";
  }
  return out;
}

tl::expected<PoCatalog, std::string> parse_po(std::string_view text) {
  PoCatalog catalog;
  PoEntry entry;
  bool fuzzy_next = false;
  std::string* target = nullptr;  // the string a continuation line adds to
  bool in_entry = false;
  auto finish = [&]() {
    if (!in_entry) return;
    if (entry.key.empty() && entry.source.empty()) {
      // The header: find "Language: xx".
      const auto at = entry.translation.find("Language: ");
      if (at != std::string::npos) {
        const auto end = entry.translation.find('\n', at);
        catalog.language = entry.translation.substr(
            at + 10, end == std::string::npos ? std::string::npos : end - at - 10);
      }
    } else {
      catalog.entries.push_back(entry);
    }
    entry = PoEntry{};
    in_entry = false;
    target = nullptr;
  };
  std::size_t line_number = 0;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    const auto bad = [&](std::string_view what) {
      return tl::unexpected("line " + std::to_string(line_number) + ": " + std::string(what));
    };
    if (line.empty()) {
      finish();
      continue;
    }
    if (line.rfind("#,", 0) == 0) {
      finish();
      fuzzy_next = line.find("fuzzy") != std::string_view::npos;
      continue;
    }
    if (line.front() == '#') continue;
    std::string* field = nullptr;
    std::string_view rest;
    for (const auto& [keyword, slot] :
         {std::pair<std::string_view, std::string*>{"msgctxt ", &entry.key},
          {"msgid ", &entry.source},
          {"msgstr ", &entry.translation}}) {
      if (line.rfind(keyword, 0) == 0) {
        field = slot;
        rest = line.substr(keyword.size());
      }
    }
    if (field != nullptr) {
      if (field == &entry.key && in_entry) finish();
      if (!in_entry) {
        in_entry = true;
        entry.fuzzy = fuzzy_next;
        fuzzy_next = false;
      }
      auto value = unquote(rest);
      if (!value) return bad("expected a quoted string");
      *field = *value;
      target = field;
      continue;
    }
    if (line.front() == '"') {
      if (target == nullptr) return bad("a string outside an entry");
      auto value = unquote(line);
      if (!value) return bad("malformed string");
      *target += *value;
      continue;
    }
    if (line.rfind("msgid_plural", 0) == 0 || line.rfind("msgstr[", 0) == 0) {
      return bad("plural forms are not used: plurals live inside the text ({count, plural, ...})");
    }
    return bad("unexpected line");
  }
  finish();
  if (catalog.language.empty())
    return tl::unexpected(std::string("no \"Language:\" in the header"));
  return catalog;
}

std::vector<PoChange> po_changes(const dialogs::Content& content, const PoCatalog& catalog) {
  std::vector<PoChange> changes;
  for (const PoEntry& entry : catalog.entries) {
    if (entry.fuzzy || entry.translation.empty()) continue;
    const std::string before = own_text(content, entry.key, catalog.language);
    if (before != entry.translation) changes.push_back({entry.key, before, entry.translation});
  }
  return changes;
}

}  // namespace buurtlijn::admin
