// See subscription_commands.hpp.
#include "dialogs/subscription_commands.hpp"

#include <algorithm>

namespace buurtlijn::dialogs {
namespace {

bool listed(const NotificationCatalog& catalog, std::string_view language, std::string_view list,
            std::string_view folded) {
  const auto& words = catalog.keywords(language, list);
  return std::find(words.begin(), words.end(), folded) != words.end();
}

// The languages to try, preferred first, then every catalog language.
std::vector<std::string> search_order(const std::vector<std::string>& preferred,
                                      const NotificationCatalog& catalog, bool all) {
  std::vector<std::string> order;
  const auto add = [&](std::string_view code) {
    if (code.empty() || !catalog.has_language(code)) return;
    if (std::find(order.begin(), order.end(), code) == order.end()) order.emplace_back(code);
  };
  for (const std::string& code : preferred) add(code);
  if (all) {
    for (std::string_view code : kNotificationLanguages) add(code);
  } else {
    add("en");
    add("nl");
  }
  return order;
}

}  // namespace

RecognizedCommand recognize_subscription_command(std::string_view text,
                                                 const std::vector<std::string>& preferred,
                                                 bool awaiting_answer,
                                                 const NotificationCatalog& catalog) {
  RecognizedCommand result;
  std::string_view trimmed = text;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\n')) {
    trimmed.remove_prefix(1);
  }
  // Telegram's bot commands: "/stop" or "/stop@deventer_bot". "/start" is the first
  // message of every Telegram chat, not a request for news: the dialog answers it.
  if (!trimmed.empty() && trimmed.front() == '/') {
    std::string_view command = trimmed.substr(1);
    command = command.substr(0, command.find_first_of("@ \n"));
    std::string lower(command);
    for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower == "stop") {
      result.command = SubscriptionCommand::stop;
      result.how = "telegram_stop";
      const auto order = search_order(preferred, catalog, false);
      result.language = order.empty() ? std::string() : order.front();
    }
    return result;
  }
  const std::string folded = fold_for_matching(text);
  if (folded.empty()) return result;
  struct List {
    std::string_view name;
    SubscriptionCommand command;
  };
  static constexpr List kAlways[] = {{"stop", SubscriptionCommand::stop},
                                     {"start", SubscriptionCommand::start},
                                     {"subscribe", SubscriptionCommand::subscribe}};
  static constexpr List kAnswers[] = {{"yes", SubscriptionCommand::yes},
                                      {"no", SubscriptionCommand::no}};
  for (const std::string& code : search_order(preferred, catalog, true)) {
    for (const List& list : kAlways) {
      if (listed(catalog, code, list.name, folded)) {
        result.command = list.command;
        result.language = code;
        result.how = "keyword";
        return result;
      }
    }
  }
  if (awaiting_answer) {
    for (const std::string& code : search_order(preferred, catalog, false)) {
      for (const List& list : kAnswers) {
        if (listed(catalog, code, list.name, folded)) {
          result.command = list.command;
          result.language = code;
          result.how = list.command == SubscriptionCommand::yes ? "yes" : "declined";
          return result;
        }
      }
    }
  }
  return result;
}

SubscriptionDecision decide_subscription(const RecognizedCommand& command,
                                         std::string_view current_state) {
  SubscriptionDecision decision;
  switch (command.command) {
    case SubscriptionCommand::none:
      break;
    case SubscriptionCommand::stop:
      // Recorded even when the person never subscribed: the STOP itself is kept.
      decision = {"stopped", command.how, "stopped"};
      break;
    case SubscriptionCommand::start:
      if (current_state == "active") {
        decision = {{}, {}, "already_subscribed"};
      } else if (current_state == "stopped") {
        // They opted in before and ask for it back with the word the stop message gave.
        decision = {"active", "keyword_start", "restarted"};
      } else {
        decision = {"pending", "keyword_start", "optin_question"};
      }
      break;
    case SubscriptionCommand::subscribe:
      if (current_state == "active") {
        decision = {{}, {}, "already_subscribed"};
      } else {
        decision = {"pending", "keyword", "optin_question"};
      }
      break;
    case SubscriptionCommand::yes:
      if (current_state == "pending") decision = {"active", "yes", "subscribed"};
      break;
    case SubscriptionCommand::no:
      if (current_state == "pending") decision = {"stopped", "declined", "declined"};
      break;
  }
  return decision;
}

}  // namespace buurtlijn::dialogs
