// Internal to dialogs/: which of the content's languages a message is written in. Script
// rules first (Ethiopic -> ti, Devanagari -> hi, Han -> zh; the letters that set Persian
// apart from Arabic and Ukrainian from Bulgarian), then, within a script, a naive Bayes
// model over the same words and character trigrams the intent matcher uses, learnt from
// each catalog (its texts, labels, examples, keywords, greetings, safety phrases),
// blended with CLD2's guess for Latin-script text, where CLD2 is strong on longer
// messages.
//
// A language has one profile per script it is typed in: its own script, and Latin for
// Bulgarian and Ukrainian (their texts romanised, plus their Latin-typed examples) and
// for a language whose catalog has romanised examples (Hinglish, Finglish, Arabizi).
//
// Built once per Content; immutable and thread-safe afterwards.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dialogs/match_text.hpp"

namespace buurtlijn::dialogs::language_detect {

enum class Script { none, latin, cyrillic, arabic, devanagari, ethiopic, han, other };

struct Detection {
  std::string language;          // empty when the text says nothing (no letters, unknown script)
  double confidence = 0;         // 0..1: the language's share of the probability among candidates
  bool decisive = false;         // settled by the script or its telling letters, not by the model
  bool ambiguous = false;        // too short or only words every language uses ("ok", "BSN", "1")
  Script script = Script::none;  // the message's main script
  int letters = 0;
  int words = 0;
  // The message folded as the matcher reads it, and its features, when its reading does
  // not depend on the language (no Cyrillic letters); empty otherwise.
  std::vector<match_text::Token> tokens;
  std::vector<match_text::Feature> features;
};

struct Sample {
  const match_text::FoldedText* text = nullptr;  // its language indexes the model's codes
  double weight = 1;
  bool phrase = false;  // an example, keyword, greeting or safety phrase: typed, not written
};

class LanguageModel {
 public:
  // At most kMaxLanguages codes; the samples' texts need to live only during the call.
  LanguageModel(const match_text::TextFolder& folder, std::vector<std::string> codes,
                const std::vector<Sample>& samples);

  static constexpr std::size_t kMaxLanguages = 64;

  // `utf8` must be valid UTF-8.
  Detection detect(std::string_view utf8) const;

  // The Cyrillic reading for a language: Ukrainian for uk, else Bulgarian.
  static match_text::Cyrillic cyrillic_for(std::string_view code);

  // The script a language is written in natively.
  Script native_script(std::string_view code) const;

 private:
  struct Profile {
    std::size_t language;
    Script script;
    match_text::Cyrillic reading;
    bool romanised;  // Latin for a language of another script
  };

  std::ptrdiff_t index_of(std::string_view code) const;

  const match_text::TextFolder& folder_;
  std::vector<std::string> codes_;
  std::vector<Script> native_script_;  // per language
  std::vector<Profile> profiles_;
  // Per known feature, its log probability in each profile (row-major).
  std::unordered_map<match_text::Feature, std::size_t> feature_row_;
  std::vector<float> log_probability_;
  std::unordered_set<match_text::Feature> shared_words_;  // words of many languages
};

}  // namespace buurtlijn::dialogs::language_detect
