// Reading the content files into plain structures (see content_files.hpp). yaml-cpp
// exceptions do not leave parse_content(), which catches them at its boundary.
// Thread-safe: no shared state.
#include "dialogs/content_files.hpp"

#include <algorithm>

#include "dialogs/icu_message.hpp"

namespace buurtlijn::dialogs::content_files {
namespace {

constexpr std::size_t kMaxFileBytes = 1 << 20;
constexpr int kMaxYamlDepth = 32;
constexpr std::string_view kTopics[] = {"brp",      "waste",   "tenant",  "report",  "human",
                                        "greeting", "unknown", "privacy", "language"};

std::string at_line(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? std::string() : " (line " + std::to_string(mark.line + 1) + ")";
}

bool is_identifier(std::string_view text) {
  if (text.empty() || text.size() > 64 || text.front() < 'a' || text.front() > 'z') return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool is_language_code(std::string_view text) {
  return text.size() == 2 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// yaml-cpp recurses once per nesting level without a limit; refuse what could exhaust
// the stack before it gets there. Counts brackets and braces anywhere (also inside
// texts, where MessageFormat nests a few), which is crude but on the safe side.
bool is_nested_too_deeply(std::string_view text) {
  int depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{') {
      if (++depth > kMaxYamlDepth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

// A mapping's entries in document order. Reports non-scalar and duplicate keys (yaml-cpp
// itself would silently keep one of them).
std::vector<std::pair<std::string, YAML::Node>> map_entries(const YAML::Node& map,
                                                            std::string_view file,
                                                            std::string_view where,
                                                            Problems& problems) {
  std::vector<std::pair<std::string, YAML::Node>> entries;
  if (!map.IsMap()) {
    if (!map.IsNull()) problems.add(file, "", where, "", "expected a mapping" + at_line(map));
    return entries;
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& pair : map) {
    if (!pair.first.IsScalar()) {
      problems.add(file, "", where, "", "a key must be a plain word" + at_line(pair.first));
      continue;
    }
    const std::string& key = pair.first.Scalar();
    if (!seen.insert(key).second) {
      problems.add(file, "", where, "", "duplicate key \"" + key + "\"" + at_line(pair.first));
      continue;
    }
    entries.emplace_back(key, pair.second);
  }
  return entries;
}

std::optional<std::string> scalar(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  return node.Scalar();
}

std::vector<std::string> scalar_list(const YAML::Node& node, std::string_view file,
                                     std::string_view where, Problems& problems) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (!node.IsSequence()) {
    problems.add(file, "", where, "", "expected a list" + at_line(node));
    return out;
  }
  for (const auto& item : node) {
    if (auto text = scalar(item)) {
      out.push_back(*text);
    } else {
      problems.add(file, "", where, "", "expected a list of words" + at_line(item));
    }
  }
  return out;
}

// A list of phrases for recognising free text (examples, keywords, greetings, safety):
// non-empty single-line texts of at most kMaxPhraseBytes.
std::vector<std::string> phrase_list(const YAML::Node& node, std::string_view file,
                                     std::string_view where, std::string_view code,
                                     Problems& problems) {
  constexpr std::size_t kMaxPhraseBytes = 300;
  std::vector<std::string> phrases;
  if (!node.IsSequence()) {
    problems.add(file, where, "", code, "expected a list of phrases" + at_line(node));
    return phrases;
  }
  for (const auto& item : node) {
    const std::optional<std::string> text = scalar(item);
    if (!text || text->find_first_not_of(" \t") == std::string::npos ||
        text->find('\n') != std::string::npos || text->size() > kMaxPhraseBytes) {
      problems.add(file, where, "", code,
                   "a phrase is one non-empty line of at most " + std::to_string(kMaxPhraseBytes) +
                       " bytes" + at_line(item));
      continue;
    }
    phrases.push_back(*text);
  }
  return phrases;
}

std::optional<NodeKind> node_kind(std::string_view text) {
  if (text == "menu") return NodeKind::menu;
  if (text == "answer") return NodeKind::answer;
  if (text == "form") return NodeKind::form;
  if (text == "handover") return NodeKind::handover;
  return std::nullopt;
}

}  // namespace

// Node of the node id a text key is about: "nodes.brp.text" -> "brp", "messages.x" -> "x".
std::string_view node_of_key(std::string_view key) {
  if (key.starts_with("nodes.")) {
    key.remove_prefix(6);
    return key.substr(0, key.find('.'));
  }
  if (key.starts_with("messages.")) return key.substr(9);
  return {};
}

std::optional<YAML::Node> load_yaml(std::string_view file, std::string_view text,
                                    Problems& problems) {
  if (text.size() > kMaxFileBytes) {
    problems.add(file, "", "", "", "larger than " + std::to_string(kMaxFileBytes) + " bytes");
    return std::nullopt;
  }
  if (!icu_message::is_valid_utf8(text)) {
    problems.add(file, "", "", "", "not valid UTF-8");
    return std::nullopt;
  }
  if (is_nested_too_deeply(text)) {
    problems.add(file, "", "", "",
                 "brackets nested more than " + std::to_string(kMaxYamlDepth) + " deep");
    return std::nullopt;
  }
  try {
    YAML::Node document = YAML::Load(std::string(text));
    if (!document.IsMap()) {
      problems.add(file, "", "", "", "the file must be a YAML mapping");
      return std::nullopt;
    }
    return document;
  } catch (const YAML::Exception& error) {
    problems.add(file, "", "", "",
                 "YAML error at line " + std::to_string(error.mark.line + 1) + ": " + error.msg);
    return std::nullopt;
  }
}

Tree read_tree(const YAML::Node& document, Problems& problems) {
  const std::string_view file = kTreeFile;
  Tree tree;
  for (const auto& [key, value] : map_entries(document, file, "", problems)) {
    if (key == "languages") {
      tree.languages = scalar_list(value, file, key, problems);
    } else if (key == "root") {
      tree.root = scalar(value).value_or("");
    } else if (key == "nodes" || key == "messages") {
      if (!value.IsSequence()) {
        problems.add(file, "", key, "", "expected a list" + at_line(value));
        continue;
      }
      for (const auto& item : value) {
        std::string id;
        std::vector<std::string> arguments;
        Node node;
        bool has_kind = false;
        for (const auto& [field, field_value] : map_entries(item, file, key, problems)) {
          const std::string text = scalar(field_value).value_or("");
          if (field == "id") {
            id = text;
          } else if (field == "arguments") {
            arguments = scalar_list(field_value, file, key, problems);
          } else if (key == "nodes" && field == "kind") {
            has_kind = true;
            if (auto kind = node_kind(text)) {
              node.kind = *kind;
            } else {
              problems.add(file, id, "", "",
                           "unknown kind \"" + text + "\"" + at_line(field_value));
            }
          } else if (key == "nodes" && field == "topic") {
            node.topic = text;
          } else if (key == "nodes" && field == "children") {
            node.children = scalar_list(field_value, file, key, problems);
          } else if (key == "nodes" && field == "trigger") {
            node.trigger = text;
            if (text != kSafetyTrigger) {
              problems.add(file, id, "", "",
                           "unknown trigger \"" + text + "\" (safety)" + at_line(field_value));
            }
          } else {
            problems.add(file, id, "", "",
                         "unknown field \"" + field + "\"" + at_line(field_value));
          }
        }
        if (!is_identifier(id)) {
          problems.add(file, id, "", "", "id must be [a-z][a-z0-9_]*" + at_line(item));
          continue;
        }
        for (const std::string& argument : arguments) {
          if (!is_identifier(argument)) {
            problems.add(file, id, "", "", "argument name \"" + argument + "\" is not [a-z0-9_]");
          }
        }
        if (key == "nodes" && !has_kind) {
          problems.add(file, id, "", "", "missing kind (menu, answer, form, handover)");
        }
        if (key == "messages") {
          tree.messages.emplace_back(id, std::move(arguments));
        } else {
          node.id = id;
          node.arguments = std::move(arguments);
          tree.nodes.push_back(std::move(node));
        }
      }
    } else {
      problems.add(file, "", key, "", "unknown key" + at_line(value));
    }
  }
  return tree;
}

void check_tree(Tree& tree, Problems& problems) {
  const std::string_view file = kTreeFile;
  std::set<std::string, std::less<>> codes;
  for (const std::string& code : tree.languages) {
    if (!is_language_code(code)) problems.add(file, "", "languages", code, "not an ISO 639-1 code");
    if (!codes.insert(code).second) problems.add(file, "", "languages", code, "listed twice");
  }
  if (!codes.contains("nl")) {
    problems.add(file, "", "languages", "nl", "nl must be a language: it is the last fallback");
  }

  std::map<std::string, std::size_t, std::less<>> index;
  for (std::size_t i = 0; i < tree.nodes.size(); ++i) {
    Node& node = tree.nodes[i];
    if (!index.emplace(node.id, i).second) problems.add(file, node.id, "", "", "duplicate node id");
    if (std::find(std::begin(kTopics), std::end(kTopics), node.topic) == std::end(kTopics)) {
      problems.add(file, node.id, "", "", "unknown topic \"" + node.topic + "\"");
    }
    if (node.kind == NodeKind::menu && node.children.empty()) {
      problems.add(file, node.id, "", "", "a menu needs children");
    }
    if (node.kind != NodeKind::menu && !node.children.empty()) {
      problems.add(file, node.id, "", "", "only a menu has children");
    }
    if (node.children.size() > 10) {
      problems.add(file, node.id, "", "", "more than 10 children (WhatsApp list limit)");
    }
  }
  std::set<std::string, std::less<>> message_ids;
  for (const auto& [id, arguments] : tree.messages) {
    if (!message_ids.insert(id).second) problems.add(file, id, "", "", "duplicate message id");
  }
  for (std::string_view required : kRequiredMessages) {
    if (!message_ids.contains(required)) {
      problems.add(file, required, "", "", "the engine needs this message");
    }
  }

  for (Node& node : tree.nodes) {
    for (const std::string& child : node.children) {
      const auto found = index.find(child);
      if (found == index.end()) {
        problems.add(file, node.id, "", "", "child \"" + child + "\" does not exist");
        continue;
      }
      Node& child_node = tree.nodes[found->second];
      if (!child_node.trigger.empty()) {
        problems.add(file, child, "", "",
                     "a node with a trigger is in no menu (in \"" + node.id + "\")");
        continue;
      }
      if (!child_node.parent.empty() || child == tree.root) {
        problems.add(file, child, "", "", "node has more than one parent (in \"" + node.id + "\")");
        continue;
      }
      child_node.parent = node.id;
    }
  }
  const auto root = index.find(tree.root);
  if (root == index.end()) {
    problems.add(file, tree.root, "root", "", "root node does not exist");
    return;
  }
  if (tree.nodes[root->second].kind != NodeKind::menu) {
    problems.add(file, tree.root, "root", "", "the root must be a menu");
  }
  // Every node reachable from the root or a trigger; with one parent each, this makes it
  // a tree plus the trigger nodes beside it.
  std::set<std::string, std::less<>> reached;
  std::vector<std::string> queue{tree.root};
  for (const Node& node : tree.nodes) {
    if (!node.trigger.empty()) queue.push_back(node.id);
  }
  while (!queue.empty()) {
    std::string id = std::move(queue.back());
    queue.pop_back();
    if (!reached.insert(id).second) continue;
    const auto found = index.find(id);
    if (found == index.end()) continue;
    for (const std::string& child : tree.nodes[found->second].children) queue.push_back(child);
  }
  for (const Node& node : tree.nodes) {
    if (!reached.contains(node.id)) {
      problems.add(file, node.id, "", "", "not reachable from the root or a trigger");
    }
  }
}

Variables read_variables(const YAML::Node& document, Problems& problems) {
  const std::string_view file = kVariablesFile;
  Variables variables;
  variables.names.emplace(kLanguagesVariable);
  for (const auto& [section, values] : map_entries(document, file, "", problems)) {
    if (section != "texts" && section != "numbers") {
      problems.add(file, "", section, "", "unknown section (texts, numbers)" + at_line(values));
      continue;
    }
    for (const auto& [name, value] : map_entries(values, file, section, problems)) {
      if (!is_identifier(name)) {
        problems.add(file, name, "", "", "variable name must be [a-z][a-z0-9_]*");
        continue;
      }
      if (!variables.names.insert(name).second) {
        problems.add(file, name, "", "", "defined twice or reserved");
        continue;
      }
      long long integer = 0;
      double real = 0;
      if (!value.IsScalar()) {
        problems.add(file, name, "", "", "expected a single value" + at_line(value));
      } else if (section == "texts") {
        variables.texts.emplace_back(name, value.Scalar());
      } else if (YAML::convert<long long>::decode(value, integer)) {
        variables.numbers.emplace_back(name, icu::Formattable(static_cast<int64_t>(integer)));
      } else if (YAML::convert<double>::decode(value, real)) {
        variables.numbers.emplace_back(name, icu::Formattable(real));
      } else {
        problems.add(file, name, "", "", "not a number" + at_line(value));
      }
    }
  }
  return variables;
}

RawCatalog read_catalog(std::string_view code, std::string_view file, const YAML::Node& document,
                        const Tree& tree, Problems& problems) {
  RawCatalog catalog;
  catalog.file = std::string(file);
  catalog.info.code = std::string(code);
  catalog.info.icu_locale = std::string(code);
  std::set<std::string, std::less<>> node_ids;
  for (const Node& node : tree.nodes) node_ids.insert(node.id);
  std::set<std::string, std::less<>> message_ids;
  for (const auto& message : tree.messages) message_ids.insert(message.first);

  auto add_text = [&](std::string key, const YAML::Node& value) {
    if (auto text = scalar(value)) {
      catalog.texts.emplace(std::move(key), RawText{*text, at_line(value)});
    } else {
      problems.add(file, node_of_key(key), key, code, "expected a text" + at_line(value));
    }
  };

  bool has_direction = false;
  for (const auto& [key, value] : map_entries(document, file, "", problems)) {
    if (key == "name") {
      catalog.info.native_name = scalar(value).value_or("");
    } else if (key == "direction") {
      const std::string direction = scalar(value).value_or("");
      has_direction = direction == "ltr" || direction == "rtl";
      catalog.info.right_to_left = direction == "rtl";
      if (!has_direction) problems.add(file, "", key, code, "must be ltr or rtl" + at_line(value));
    } else if (key == "locale") {
      catalog.info.icu_locale = scalar(value).value_or("");
    } else if (key == "menu_words") {
      catalog.menu_words = scalar_list(value, file, key, problems);
    } else if (key == "yes_words") {
      catalog.yes_words = scalar_list(value, file, key, problems);
    } else if (key == "no_words") {
      catalog.no_words = scalar_list(value, file, key, problems);
    } else if (key == "greetings") {
      catalog.greetings = phrase_list(value, file, key, code, problems);
    } else if (key == "safety") {
      catalog.safety = phrase_list(value, file, key, code, problems);
    } else if (key == "off_topic") {
      catalog.off_topic = phrase_list(value, file, key, code, problems);
    } else if (key == "list_separator") {
      catalog.list_separator = scalar(value).value_or("");
      if (catalog.list_separator.empty()) {
        problems.add(file, "", key, code, "expected a text" + at_line(value));
      }
    } else if (key == "ui") {
      for (const auto& [name, text] : map_entries(value, file, key, problems)) {
        if (std::find(std::begin(kUiKeys), std::end(kUiKeys), name) == std::end(kUiKeys)) {
          problems.add(file, "", ui_key(name), code, "unknown ui key" + at_line(text));
          continue;
        }
        add_text(ui_key(name), text);
      }
    } else if (key == "messages") {
      for (const auto& [id, text] : map_entries(value, file, key, problems)) {
        if (!message_ids.contains(id)) {
          problems.add(file, id, message_key(id), code,
                       "not a message of tree.yaml" + at_line(text));
          continue;
        }
        add_text(message_key(id), text);
      }
    } else if (key == "nodes") {
      for (const auto& [id, fields] : map_entries(value, file, key, problems)) {
        if (!node_ids.contains(id)) {
          problems.add(file, id, "", code, "not a node of tree.yaml" + at_line(fields));
          continue;
        }
        for (const auto& [field, text] : map_entries(fields, file, key, problems)) {
          if (field == "label") {
            add_text(node_label_key(id), text);
          } else if (field == "text") {
            add_text(node_text_key(id), text);
          } else if (field == "examples") {
            catalog.examples[id] = phrase_list(text, file, id, code, problems);
          } else if (field == "keywords") {
            catalog.keywords[id] = phrase_list(text, file, id, code, problems);
          } else {
            problems.add(file, id, "", code, "unknown field \"" + field + "\"" + at_line(text));
          }
        }
      }
    } else {
      problems.add(file, "", key, code, "unknown key" + at_line(value));
    }
  }
  if (catalog.info.native_name.empty()) problems.add(file, "", "name", code, "missing name");
  if (!has_direction) problems.add(file, "", "direction", code, "missing direction (ltr, rtl)");
  return catalog;
}

}  // namespace buurtlijn::dialogs::content_files
