// respond(): one turn of a conversation. Reads the event (a button, a menu number, a
// command word, or free text, which classify() understands: its language, a language
// named, a safety message, a greeting, a question), walks the tree and returns the next
// state with the replies and actions. Pure and thread-safe: no I/O, no clock, no shared
// mutable state; the same inputs give the same Turn.
#include "dialogs/engine.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "dialogs/classify.hpp"
#include "dialogs/icu_message.hpp"
#include "dialogs/match_text.hpp"
#include "dialogs/privacy_requests.hpp"
#include "dialogs/report_form.hpp"

namespace buurtlijn::dialogs {
namespace {

constexpr int kMissesBeforeHandOver = 2;

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

  // The language in use for an event without free text to read (free text is
  // classify()'s): kept when supported, else the channel's hint, else the phone number's
  // country, else Dutch.
  void resolve_language(const InboundEvent& event) {
    ConversationState& s = turn_.state;
    if (content_.has_language(s.language)) return;
    const std::vector<std::string> hinted = languages_from_hint(event.language_hint, content_);
    const std::string phone = language_of_phone_number(event.phone_prefix, content_);
    s.language = !hinted.empty() ? hinted.front() : !phone.empty() ? phone : std::string("nl");
  }

  // The user's second language, when there is none yet: the channel's next language.
  void take_second_language(std::string_view hint) {
    ConversationState& s = turn_.state;
    if (s.second_language.empty()) {
      for (const std::string& code : languages_from_hint(hint, content_)) {
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

  // Whether the event is free text for classify() (not a number or a menu word).
  static bool is_free_text(const InboundEvent& event, const Content& content) {
    if (event.kind != InboundEvent::Kind::text) return false;
    const std::string folded = fold_for_matching(event.text);
    return !menu_number(folded) && !content.is_menu_word(folded);
  }

  // Switches to `code`; the language left becomes the second language when there is none.
  void set_language(std::string_view code) {
    ConversationState& s = turn_.state;
    if (!content_.has_language(code) || s.language == code) return;
    if (s.second_language.empty() && content_.has_language(s.language)) {
      s.second_language = s.language;
    }
    s.language = std::string(code);
    if (s.second_language == code) s.second_language.clear();
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

  void show(const Node& node, std::string hand_over_reason = "requested") {
    turn_.state.report = ReportForm{};
    if (node.kind == NodeKind::form && node.id == kReportNodeId) {
      reply(node_text_key(node.id), {});  // the form's first question carries the options
      start_report_form(turn_, content_);
    } else if (node.id == kPrivacySummaryNodeId) {
      Action action;  // the gateway reads the counts and answers
      action.kind = Action::Kind::privacy_summary;
      turn_.actions.push_back(std::move(action));
    } else if (node.id == kPrivacyEraseNodeId) {
      ask_erase_confirmation(turn_, content_);
    } else {
      reply(node_text_key(node.id), button_targets(node));
    }
    turn_.state.node = node.id;
    turn_.state.misses = 0;
    if (node.kind == NodeKind::handover) hand_over(std::move(hand_over_reason));
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
    Action action;
    action.kind = Action::Kind::hand_over;
    action.reason = std::move(reason);
    turn_.actions.push_back(std::move(action));
  }

  const Content& content_;
  Turn turn_;
};

// Free text that is neither a menu number nor a menu word.
void respond_to_text(TurnBuilder& turn, const InboundEvent& event, const Content& content,
                     bool new_conversation) {
  ClassifyHints hints;
  hints.current_language = turn.state().language;
  hints.channel_hint = event.language_hint;
  hints.phone_number = event.phone_prefix;
  const Classification understood = classify(event.text, content, hints);
  turn.set_language(understood.language);
  turn.take_second_language(event.language_hint);

  const Node* safety = understood.safety ? content.node(understood.node) : nullptr;
  const Node* node = content.node(understood.node);
  const bool waiting = !new_conversation && turn.current().kind == NodeKind::handover;
  // A named language, a greeting, or a first message not understood: the welcome.
  const bool welcome = understood.language_source == LanguageSource::explicit_choice ||
                       (!waiting && understood.topic == "greeting") ||
                       (!waiting && node == nullptr && new_conversation);
  if (safety != nullptr) {
    turn.show(*safety, "safety");  // whatever the state, also in a named-language message
  } else if (welcome) {
    turn.welcome();
  } else if (waiting) {
    turn.waiting_for_person(turn.current());
  } else if (node != nullptr) {
    turn.show(*node);
  } else {
    turn.miss();
  }
}

}  // namespace

Turn respond(const ConversationState& state, const InboundEvent& event, const Content& content,
             std::chrono::system_clock::time_point /*now*/) {
  if (!state.report.step.empty()) {
    if (std::optional<Turn> form = continue_report_form(state, event, content)) return *form;
  }
  if (state.node == kPrivacyEraseNodeId) {
    if (std::optional<Turn> answer = answer_erase_confirmation(state, event, content)) {
      return *answer;
    }
  }
  ConversationState without_form = state;
  without_form.report = ReportForm{};
  TurnBuilder turn(without_form, content);
  const bool new_conversation = content.node(state.node) == nullptr;
  if (new_conversation) turn.state().node.clear();
  if (TurnBuilder::is_free_text(event, content)) {
    respond_to_text(turn, event, content, new_conversation);
    return turn.take();
  }
  turn.resolve_language(event);
  turn.take_second_language(event.language_hint);

  switch (event.kind) {
    case InboundEvent::Kind::language_choice:
      turn.set_language(match_text::primary_subtag(match_text::trim(event.language)));
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

    case InboundEvent::Kind::text: {  // a menu number or word; free text went above
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
      }
      break;
    }
  }
  return turn.take();
}

}  // namespace buurtlijn::dialogs
