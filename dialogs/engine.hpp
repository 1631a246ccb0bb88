// The dialog engine's contract: conversation + inbound event + content snapshot + time
// in, the next state, replies and actions out. Pure: no I/O, no clock reads, no
// globals; the same inputs always give the same turn. Thread-safe because it shares
// nothing: a Content snapshot is immutable and may be used from many threads at once.
//
// The language of a turn: an explicit choice > the conversation's language > the
// channel's hint > detection on the message > the phone number's country > Dutch, with
// the switching rule of classify.hpp. Free text is understood by classify(): a safety
// message (any state) answers safety_help and hands over; a greeting answers the
// welcome; a recognised question answers its node; anything else is "not understood"
// with the main menu, and two misses in a row hand over.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dialogs/content.hpp"

namespace buurtlijn::dialogs {

// What the engine remembers between turns. Stored by the gateway as an opaque string.
struct ConversationState {
  std::string language;         // ISO 639-1 code in use; empty until resolved
  std::string second_language;  // the user's other language, for fallback; may be empty
  std::string node;             // current node id in the dialog tree; empty = start
  int misses = 0;               // misunderstood messages in a row

  std::string serialize() const;  // compact JSON
  // Unknown or broken input yields a fresh state (the conversation starts over), never
  // an exception: state written by an older version must not take a conversation down.
  static ConversationState parse(std::string_view serialized);
  bool operator==(const ConversationState&) const = default;
};

struct InboundEvent {
  enum class Kind {
    text,             // free text typed by the user
    choice,           // a button, list row or numbered menu pick; `choice_id` is the node id
    language_choice,  // an explicit language pick (web chat picker); `language` is the code
  };
  Kind kind = Kind::text;
  std::string text;
  std::string choice_id;
  std::string language;       // for language_choice
  std::string language_hint;  // the channel's hint (Accept-Language, Telegram language_code)
  // The sender's phone number ("+40712345678") or just its country calling code ("+40"):
  // the last hint for the language of a new conversation. Empty for web chat.
  std::string phone_prefix;
};

struct Button {
  std::string id;     // node id it leads to
  std::string label;  // short label in the reply's language
  bool operator==(const Button&) const = default;
};

struct Reply {
  std::string language;  // language the text is in (after fallback)
  std::string text;
  std::vector<Button> buttons;
  bool right_to_left = false;
  bool fallback = false;  // true when the text (or a button label) came from a fallback language
  bool operator==(const Reply&) const = default;
};

struct Action {
  enum class Kind { hand_over };  // mark the conversation for the Buurtmaker's inbox
  Kind kind = Kind::hand_over;
  std::string reason;  // requested, two_misses, message_for_person, safety
  bool operator==(const Action&) const = default;
};

struct Turn {
  ConversationState state;
  std::vector<Reply> replies;
  std::vector<Action> actions;
  bool operator==(const Turn&) const = default;
};

Turn respond(const ConversationState& state, const InboundEvent& event, const Content& content,
             std::chrono::system_clock::time_point now);

}  // namespace buurtlijn::dialogs
