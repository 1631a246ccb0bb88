// Understanding one free-text message: which language it is in (and which language the
// conversation should continue in), and which topic and dialog node it asks about. Used
// by the engine for every typed message and by `buurtlijn classify`.
//
// Pure and thread-safe: no I/O, no clock, no shared mutable state; the matching data is
// built once by parse_content() and read-only afterwards, so one Content may classify
// from many threads at once.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialogs/content.hpp"

namespace buurtlijn::dialogs {

// What is known about the conversation besides the message.
struct ClassifyHints {
  std::string_view current_language;  // the conversation's language; empty when new
  std::string_view channel_hint;      // "ro-RO,ro;q=0.9,en;q=0.8", Telegram's "pt-br"; may be empty
  std::string_view phone_number;      // sender's number ("+40 712 ...", "0040..."); may be empty
};

// Where the language came from, in the order of precedence.
enum class LanguageSource {
  explicit_choice,  // the message names a language ("English please", "română")
  conversation,     // the conversation's language, kept
  channel,          // the channel's hint
  detected,         // detected on this message (a first message, or a confident switch)
  phone,            // the phone number's country
  fallback,         // nothing said anything: Dutch
};

struct Classification {
  std::string language;  // one of the content's languages
  LanguageSource language_source = LanguageSource::fallback;
  double language_confidence = 0;  // of the detection on this message, 0..1 (0: none)
  std::string detected_language;   // what detection alone says; empty when it says nothing

  // brp, waste, tenant, report, human, greeting or unknown (privacy and language nodes
  // have no topic of their own in this list and report "unknown").
  std::string topic = "unknown";
  std::string node;  // the node to answer with; empty when not understood
  // How sure the node is, strictly between 0 and 1 (see calibrated_confidence()); below
  // kUnderstoodThreshold the message is not understood (topic unknown, no node).
  double confidence = 0;
  bool safety = false;  // exploitation, violence or danger: answer safety_help, hand over
};

// Intent scores (the ranking's own scale, roughly 0..1.5; tuned on the catalogs' phrases
// and tests/eval, see bench/README.md) and confidences (0..1, what callers read).
//
// The confidence of a ranked node is a logistic curve over its score, 0.5 exactly at
// kUnderstoodScore and never 0 or 1: kConfidenceSlope makes a score of 1 (a message
// much like one example phrase) about 0.97 and one of 0.5 about 0.70. Below
// kUnderstoodThreshold the message is not understood: the engine says so in the user's
// language, shows the main menu with the button to a person, and hands over after two
// such misses in a row.
inline constexpr double kUnderstoodScore = 0.34;
inline constexpr double kConfidenceSlope = 5.3;
inline constexpr double kUnderstoodThreshold = 0.5;  // a confidence: below, not understood
inline constexpr double kNodeMargin =
    0.03;  // a leaf needs this score lead over its topic's runner-up
// The safety node without a safety phrase in the message: only when ranked this sure.
inline constexpr double kSafetyRankedScore = 0.75;
// A greeting with more words answers the rest when the rest alone scores this much;
// otherwise it is a greeting.
inline constexpr double kAfterGreetingScore = 0.45;
// Fixed confidences of the rule-based answers: a safety phrase, a greeting.
inline constexpr double kSafetyConfidence = 0.99;
inline constexpr double kGreetingConfidence = 0.95;

// The confidence of a ranking score (see above): in (0, 1), rising with the score.
double calibrated_confidence(double score);

// Language switching (stickiness): a conversation with a language (or a channel hint)
// changes language on a detected message only when
//  - the message is not ambiguous (at least 3 letters, or 2 Chinese characters or Ethiopic
//    syllables; not only numbers and words four or more catalogs share, such as "BSN",
//    "gemeente"; so "ok", "1" and "BSN" never switch), and
//  - its script cannot be the current language's (Cyrillic while speaking Romanian) and it
//    has at least kSwitchLettersOtherScript letters, or
//  - the script is shared (Arabic/Persian, Bulgarian/Ukrainian) and the message has the
//    letters that tell them apart, or
//  - both are Latin-script: the message has at least kSwitchLetters letters, two words, and
//    detection is at least kSwitchConfidence sure.
inline constexpr int kSwitchLettersOtherScript = 3;
inline constexpr int kSwitchLetters = 12;
inline constexpr double kSwitchConfidence = 0.85;
inline constexpr double kFirstMessageConfidence = 0.40;  // a new conversation's bar

// Classifies `text` (UTF-8; invalid UTF-8 is classified as an empty message).
Classification classify(std::string_view text, const Content& content,
                        const ClassifyHints& hints = {});

// For diagnostics (the benchmark's --explain): the nodes classify() weighs for `text`,
// best first, with their scores, as ranked for `language`.
std::vector<std::pair<std::string, double>> rank_nodes(std::string_view text,
                                                       const Content& content,
                                                       std::string_view language);

// The language a phone number's country suggests: "+40..." -> "ro", "+359..." -> "bg";
// empty when the country is unknown or its language is not one of the content's.
std::string language_of_phone_number(std::string_view phone_number, const Content& content);

// Supported languages named by a channel hint, best first: "ro-RO,ro;q=0.9,en;q=0.8" ->
// ro, en. A single code ("uk", Telegram's "pt-br") works too.
std::vector<std::string> languages_from_hint(std::string_view hint, const Content& content);

std::string_view to_string(LanguageSource source);

// Whether `text` is well-formed UTF-8 (what classify() reads; anything else is empty).
bool is_valid_utf8(std::string_view text);

}  // namespace buurtlijn::dialogs
