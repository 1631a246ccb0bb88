// See report_form.hpp. Texts are the catalogs' messages.report_* entries; option
// buttons carry ids "report_<option>" and labels messages.report_<option>.
#include "dialogs/report_form.hpp"

#include <unicode/uchar.h>

#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "dialogs/icu_message.hpp"

namespace buurtlijn::dialogs {
namespace {

constexpr std::size_t kMaxFieldBytes = 1000;

constexpr std::array<std::string_view, 7> kCategories = {"waste_beside_container",
                                                         "container_full_or_broken",
                                                         "bulky_waste",
                                                         "noise",
                                                         "overcrowded_housing",
                                                         "exploitation",
                                                         "other"};
constexpr std::array<std::string_view, 5> kFractions = {"residual", "paper", "glass", "plastic",
                                                        "gft"};

// "1", "١", "۷" -> the number; nullopt for anything that is not one or two digits.
std::optional<int> option_number(std::string_view folded) {
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

std::string option_id(std::string_view option) {
  return "report_" + std::string(option);
}

// The option the event picks among `options`: a button (its id) or a number.
template <std::size_t N>
std::optional<std::string_view> picked(const InboundEvent& event,
                                       const std::array<std::string_view, N>& options) {
  if (event.kind == InboundEvent::Kind::choice) {
    for (std::string_view option : options) {
      if (event.choice_id == option_id(option)) return option;
    }
    return std::nullopt;
  }
  if (event.kind != InboundEvent::Kind::text) return std::nullopt;
  const std::optional<int> number = option_number(fold_for_matching(event.text));
  if (number && *number >= 1 && static_cast<std::size_t>(*number) <= N) {
    return options[static_cast<std::size_t>(*number) - 1];
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 1> kSkip = {"skip"};
constexpr std::array<std::string_view, 2> kUpdates = {"updates", "anonymous"};

class FormReplies {
 public:
  FormReplies(Turn& turn, const Content& content) : turn_(turn), content_(content) {}

  void say(std::string_view message, std::vector<std::string_view> options = {}) {
    const ConversationState& s = turn_.state;
    Reply out;
    const auto text = content_.render(message_key(message), s.language, s.second_language);
    if (text) {
      out.text = text->text;
      out.language = text->language;
      out.fallback = text->fallback;
    } else {
      out.text = std::string(message);  // content validation requires a Dutch text
      out.language = "nl";
      out.fallback = true;
    }
    const LanguageInfo* info = content_.language(out.language);
    out.right_to_left = info != nullptr && info->right_to_left;
    for (std::string_view option : options) {
      const std::string id = option_id(option);
      const auto label = content_.render(message_key(id), s.language, s.second_language);
      out.buttons.push_back(Button{id, label ? label->text : id});
      out.fallback = out.fallback || !label || label->fallback;
    }
    turn_.replies.push_back(std::move(out));
  }

  // The node's text (e.g. the safety answer), with no buttons.
  void say_node(std::string_view node_id) {
    const ConversationState& s = turn_.state;
    const auto text = content_.render(node_text_key(node_id), s.language, s.second_language);
    if (!text) return;
    Reply out;
    out.text = text->text;
    out.language = text->language;
    out.fallback = text->fallback;
    const LanguageInfo* info = content_.language(out.language);
    out.right_to_left = info != nullptr && info->right_to_left;
    turn_.replies.push_back(std::move(out));
  }

 private:
  Turn& turn_;
  const Content& content_;
};

template <std::size_t N>
std::vector<std::string_view> options_of(const std::array<std::string_view, N>& options) {
  return {options.begin(), options.end()};
}

void ask(FormReplies& replies, std::string_view step) {
  if (step == "category") {
    replies.say("report_ask_category", options_of(kCategories));
  } else if (step == "fraction") {
    replies.say("report_ask_fraction", options_of(kFractions));
  } else if (step == "housing") {
    replies.say("report_ask_housing", options_of(kSkip));
  } else if (step == "location") {
    replies.say("report_ask_location");
  } else if (step == "photo") {
    replies.say("report_ask_photo", options_of(kSkip));
  } else if (step == "description") {
    replies.say("report_ask_description", options_of(kSkip));
  } else if (step == "updates") {
    replies.say("report_ask_updates", options_of(kUpdates));
  }
}

const Node* safety_node(const Content& content) {
  for (const Node& node : content.nodes()) {
    if (node.trigger == kSafetyTrigger) return &node;
  }
  return nullptr;
}

bool is_skip(const InboundEvent& event) {
  return picked(event, kSkip).has_value();
}

std::string trimmed(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1)).substr(0, kMaxFieldBytes);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

bool looks_like_address(std::string_view text) {
  const std::string t = trimmed(text);
  if (t.size() < 4 || t.size() > 200) return false;
  // Postcode: four digits (not starting with 0), optional space, two letters, and a
  // house number somewhere after it.
  for (std::size_t i = 0; i + 6 <= t.size(); ++i) {
    if (i > 0 && std::isalnum(static_cast<unsigned char>(t[i - 1]))) continue;
    if (t[i] == '0' || !is_digit(t[i]) || !is_digit(t[i + 1]) || !is_digit(t[i + 2]) ||
        !is_digit(t[i + 3])) {
      continue;
    }
    std::size_t j = i + 4;
    if (j < t.size() && t[j] == ' ') ++j;
    if (j + 2 <= t.size() && std::isalpha(static_cast<unsigned char>(t[j])) &&
        std::isalpha(static_cast<unsigned char>(t[j + 1]))) {
      for (std::size_t k = j + 2; k < t.size(); ++k) {
        if (is_digit(t[k])) return true;
      }
    }
  }
  // Street + house number: at least three letters, then a number.
  std::size_t letters = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto c = static_cast<unsigned char>(t[i]);
    if (std::isalpha(c) || c >= 0x80) {
      ++letters;
    } else if (is_digit(t[i]) && letters >= 3) {
      return true;
    }
  }
  return false;
}

void start_report_form(Turn& turn, const Content& content) {
  turn.state.report = ReportForm{};
  turn.state.report.step = "category";
  FormReplies replies(turn, content);
  ask(replies, "category");
}

std::optional<Turn> continue_report_form(const ConversationState& state, const InboundEvent& event,
                                         const Content& content) {
  if (event.kind == InboundEvent::Kind::language_choice) return std::nullopt;
  if (event.kind == InboundEvent::Kind::text && !event.has_location && event.media_ref.empty()) {
    const std::string folded = fold_for_matching(event.text);
    const std::optional<int> number = option_number(folded);
    if ((number && *number == 0) || content.is_menu_word(folded)) return std::nullopt;
  }
  if (event.kind == InboundEvent::Kind::choice && content.node(event.choice_id) != nullptr) {
    return std::nullopt;  // a menu button from an earlier message
  }
  Turn turn;
  turn.state = state;
  turn.state.misses = 0;
  ReportForm& form = turn.state.report;
  FormReplies replies(turn, content);
  const std::string step = form.step;

  if (step == "category") {
    const auto category = picked(event, kCategories);
    if (!category) {
      ask(replies, step);
      return turn;
    }
    form.category = std::string(*category);
    if (form.category == "waste_beside_container") {
      form.step = "fraction";
    } else if (form.category == "overcrowded_housing") {
      form.step = "housing";
    } else {
      form.step = "location";
      if (form.category == "exploitation") {
        // Sensitive: the help numbers first, then the report goes on.
        if (const Node* safety = safety_node(content)) replies.say_node(safety->id);
      }
    }
  } else if (step == "fraction") {
    const auto fraction = picked(event, kFractions);
    if (!fraction) {
      ask(replies, step);
      return turn;
    }
    form.fraction = std::string(*fraction);
    form.step = "location";
  } else if (step == "housing") {
    if (!is_skip(event)) {
      const std::string details = trimmed(event.text);
      if (event.kind != InboundEvent::Kind::text || details.empty()) {
        ask(replies, step);
        return turn;
      }
      form.details = details;
    }
    form.step = "location";
  } else if (step == "location") {
    if (event.has_location) {
      form.has_location = true;
      form.latitude = event.latitude;
      form.longitude = event.longitude;
    } else if (event.kind == InboundEvent::Kind::text && looks_like_address(event.text)) {
      form.address = trimmed(event.text);
    } else {
      replies.say("report_location_invalid");
      return turn;
    }
    form.step = "photo";
  } else if (step == "photo") {
    if (!event.media_ref.empty()) {
      form.photo_ref = event.media_ref.substr(0, kMaxFieldBytes);
    } else if (!is_skip(event)) {
      ask(replies, step);
      return turn;
    }
    form.step = "description";
  } else if (step == "description") {
    if (!is_skip(event)) {
      const std::string description = trimmed(event.text);
      if (event.kind != InboundEvent::Kind::text || description.empty()) {
        ask(replies, step);
        return turn;
      }
      form.description = description;
    }
    form.step = "updates";
  } else if (step == "updates") {
    const auto choice = picked(event, kUpdates);
    if (!choice) {
      ask(replies, step);
      return turn;
    }
    Action action;
    action.kind = Action::Kind::create_report;
    action.report = form;
    action.report.step.clear();
    action.wants_updates = *choice == "updates";
    turn.actions.push_back(std::move(action));
    form = ReportForm{};  // the gateway replies with the confirmation and the number
    turn.state.node = std::string(kReportNodeId);
    return turn;
  } else {
    form = ReportForm{};  // an unknown step (older version): start again
    form.step = "category";
  }
  ask(replies, form.step);
  return turn;
}

}  // namespace buurtlijn::dialogs
