// respond(): one turn of a conversation. Resolves the language, reads the event
// (a button, a menu number, a command word, a language name, or free text), walks the
// tree and returns the next state with the replies and actions. Free-text intent
// matching comes later; for now free text is "not understood", and two misses in a
// row hand the conversation over to the Buurtmaker. Pure and thread-safe: no I/O, no
// clock, no shared mutable state; the same inputs give the same Turn.
#include "dialogs/engine.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "dialogs/icu_message.hpp"

namespace buurtlijn::dialogs {
namespace {

constexpr int kMissesBeforeHandOver = 2;

std::string primary_subtag(std::string_view tag) {
  std::string code;
  for (char c : tag) {
    if (c == '-' || c == '_') break;
    code += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return code;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// Supported languages named by a hint, best first: "ro-RO,ro;q=0.9,en;q=0.8" -> ro, en.
// A single code ("uk", Telegram's "pt-br") works too.
std::vector<std::string> languages_from_hint(std::string_view hint, const Content& content) {
  struct Ranked {
    std::string code;
    double quality;
  };
  std::vector<Ranked> ranked;
  while (!hint.empty() && ranked.size() < 32) {
    const auto comma = hint.find(',');
    std::string_view item = trim(hint.substr(0, comma));
    hint = comma == std::string_view::npos ? std::string_view() : hint.substr(comma + 1);
    double quality = 1.0;
    if (const auto semicolon = item.find(';'); semicolon != std::string_view::npos) {
      std::string_view parameter = trim(item.substr(semicolon + 1));
      item = trim(item.substr(0, semicolon));
      if (parameter.starts_with("q=")) {
        parameter.remove_prefix(2);
        double parsed = 0;
        const auto result =
            std::from_chars(parameter.data(), parameter.data() + parameter.size(), parsed);
        if (result.ec == std::errc() && parsed >= 0 && parsed <= 1) quality = parsed;
      }
    }
    std::string code = primary_subtag(item);
    if (quality > 0 && content.has_language(code)) ranked.push_back({std::move(code), quality});
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const Ranked& a, const Ranked& b) { return a.quality > b.quality; });
  std::vector<std::string> codes;
  for (Ranked& item : ranked) {
    if (std::find(codes.begin(), codes.end(), item.code) == codes.end()) {
      codes.push_back(std::move(item.code));
    }
  }
  return codes;
}

// "1", "١", "۷" -> the number; nullopt for anything that is not one or two digits.
std::optional<int> menu_number(std::string_view folded) {
  const icu::UnicodeString text = icu_message::to_unicode(folded);
  if (text.isEmpty() || text.countChar32() > 2) return std::nullopt;
  int value = 0;
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
    const int32_t digit = u_charDigitValue(text.char32At(i));
    if (digit < 0) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

class TurnBuilder {
 public:
  TurnBuilder(const ConversationState& state, const Content& content) : content_(content) {
    turn_.state = state;
  }

  ConversationState& state() { return turn_.state; }
  Turn take() { return std::move(turn_); }

  // The language in use: kept when supported, else the channel's hint, else Dutch.
  void resolve_language(std::string_view hint) {
    ConversationState& s = turn_.state;
    const std::vector<std::string> hinted = languages_from_hint(hint, content_);
    if (!content_.has_language(s.language)) {
      s.language = hinted.empty() ? std::string("nl") : hinted.front();
    }
    if (s.second_language.empty()) {
      for (const std::string& code : hinted) {
        if (code != s.language) {
          s.second_language = code;
          break;
        }
      }
    }
    if (!content_.has_language(s.second_language) || s.second_language == s.language) {
      s.second_language.clear();
    }
  }

  void set_language(std::string_view code) {
    if (!content_.has_language(code)) return;
    turn_.state.language = std::string(code);
    if (turn_.state.second_language == code) turn_.state.second_language.clear();
  }

  // The node whose buttons the user saw last; the root when there is none.
  const Node& current() const {
    const Node* node = content_.node(turn_.state.node);
    return node ? *node : content_.root();
  }

  // Button targets shown with a node: a menu's children, otherwise back to its parent.
  std::vector<std::string> button_targets(const Node& node) const {
    if (node.kind == NodeKind::menu) return node.children;
    if (!node.parent.empty()) return {node.parent};
    return {content_.root().id};
  }

  void welcome() {
    const Node& root = content_.root();
    reply(message_key("welcome"), button_targets(root));
    turn_.state.node = root.id;
    turn_.state.misses = 0;
  }

  void show(const Node& node) {
    reply(node_text_key(node.id), button_targets(node));
    turn_.state.node = node.id;
    turn_.state.misses = 0;
    if (node.kind == NodeKind::handover) hand_over("requested");
  }

  void miss() {
    const Node& root = content_.root();
    ConversationState& s = turn_.state;
    s.misses = std::max(0, s.misses) + 1;
    if (s.misses >= kMissesBeforeHandOver) {
      reply(message_key("handed_over"), button_targets(root));
      hand_over("two_misses");
      s.misses = 0;
    } else {
      reply(message_key("not_understood"), button_targets(root));
    }
    s.node = root.id;
  }

  // Free text while waiting for a person: acknowledged and kept in the inbox.
  void waiting_for_person(const Node& node) {
    reply(message_key("waiting_for_person"), button_targets(node));
    hand_over("message_for_person");
    turn_.state.misses = 0;
  }

 private:
  void reply(const std::string& key, const std::vector<std::string>& targets) {
    const ConversationState& s = turn_.state;
    Reply out;
    const auto text = content_.render(key, s.language, s.second_language);
    if (text) {
      out.text = text->text;
      out.language = text->language;
      out.fallback = text->fallback;
    } else {
      // Content validation guarantees a Dutch text for every key the engine uses.
      out.text = key;
      out.language = "nl";
      out.fallback = true;
    }
    const LanguageInfo* info = content_.language(out.language);
    out.right_to_left = info != nullptr && info->right_to_left;
    for (const std::string& target : targets) {
      const auto label = content_.render(node_label_key(target), s.language, s.second_language);
      out.buttons.push_back(Button{target, label ? label->text : target});
      out.fallback = out.fallback || !label || label->fallback;
    }
    turn_.replies.push_back(std::move(out));
  }

  void hand_over(std::string reason) {
    turn_.actions.push_back(Action{Action::Kind::hand_over, std::move(reason)});
  }

  const Content& content_;
  Turn turn_;
};

}  // namespace

Turn respond(const ConversationState& state, const InboundEvent& event, const Content& content,
             std::chrono::system_clock::time_point /*now*/) {
  TurnBuilder turn(state, content);
  const bool new_conversation = content.node(state.node) == nullptr;
  if (new_conversation) turn.state().node.clear();
  turn.resolve_language(event.language_hint);

  switch (event.kind) {
    case InboundEvent::Kind::language_choice:
      turn.set_language(primary_subtag(trim(event.language)));
      turn.welcome();
      break;

    case InboundEvent::Kind::choice:
      if (const Node* node = content.node(event.choice_id)) {
        turn.show(*node);
      } else if (new_conversation) {
        turn.welcome();
      } else {
        turn.show(content.root());  // a button of an older content version
      }
      break;

    case InboundEvent::Kind::text: {
      const std::string folded = fold_for_matching(event.text);
      const std::optional<int> number = menu_number(folded);
      if ((number && *number == 0) || content.is_menu_word(folded)) {
        if (new_conversation) {
          turn.welcome();
        } else {
          turn.show(content.root());
        }
      } else if (number) {
        const std::vector<std::string> targets = turn.button_targets(turn.current());
        if (*number >= 1 && static_cast<std::size_t>(*number) <= targets.size()) {
          turn.show(*content.node(targets[static_cast<std::size_t>(*number) - 1]));
        } else if (turn.current().kind == NodeKind::handover) {
          turn.waiting_for_person(turn.current());
        } else {
          turn.miss();
        }
      } else if (const auto code = content.language_by_name(folded)) {
        turn.set_language(*code);
        turn.welcome();
      } else if (new_conversation) {
        turn.welcome();
      } else if (turn.current().kind == NodeKind::handover) {
        turn.waiting_for_person(turn.current());
      } else {
        turn.miss();
      }
      break;
    }
  }
  return turn.take();
}

}  // namespace buurtlijn::dialogs
