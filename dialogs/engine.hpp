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

// The nuisance-report form in progress (report_form.hpp). `step` empty: no form.
struct ReportForm {
  std::string step;      // category, fraction, housing, location, photo, description, updates
  std::string category;  // the cases/ category code (waste_beside_container, noise, ...)
  std::string fraction;  // residual, paper, glass, plastic, gft (waste_container only)
  std::string details;   // the housing questions' answers, as typed
  bool has_location = false;
  double latitude = 0;
  double longitude = 0;
  std::string address;  // typed address, or postcode + house number
  std::string photo_ref;
  std::string description;
  bool operator==(const ReportForm&) const = default;
};

// What the engine remembers between turns. Stored by the gateway as an opaque string.
struct ConversationState {
  std::string language;         // ISO 639-1 code in use; empty until resolved
  std::string second_language;  // the user's other language, for fallback; may be empty
  std::string node;             // current node id in the dialog tree; empty = start
  int misses = 0;               // misunderstood messages in a row
  ReportForm report;            // the report form, while one is being filled in

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
  // A location message (WhatsApp/Telegram pin), with or without text.
  bool has_location = false;
  double latitude = 0;
  double longitude = 0;
  std::string media_ref;  // a photo's reference at the channel (WhatsApp media id, file_id)
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
  enum class Kind {
    hand_over,      // mark the conversation for the Buurtmaker's inbox
    create_report,  // the report form is complete: `report` holds the fields
    // privacy_requests.hpp: "what do you store about me" (the gateway answers with the
    // counts) and a confirmed "delete my data" (the gateway erases, then confirms).
    privacy_summary,
    erase_personal_data,
  };
  Kind kind = Kind::hand_over;
  std::string reason;          // hand_over: requested, two_misses, message_for_person, safety
  ReportForm report;           // create_report: the collected fields (step is empty)
  bool wants_updates = false;  // create_report: false = anonymous
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
