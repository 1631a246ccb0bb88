// Language detection (see language_detect.hpp). Thread-safe: the model is immutable
// after construction and detect() keeps its work in locals.
#include "dialogs/language_detect.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "dialogs/cld2_detect.hpp"

namespace buurtlijn::dialogs::language_detect {
namespace {

using match_text::Cyrillic;
using match_text::Feature;
using match_text::ScriptCounts;

constexpr double kPriorMass = 8000;          // Dirichlet smoothing towards all profiles
constexpr int kMinLetters = 3;               // fewer letters: ambiguous ...
constexpr int kMinSyllables = 2;             // ... or Chinese characters, Ethiopic syllables
constexpr std::size_t kSharedLanguages = 4;  // a word seen in this many languages is shared
constexpr int kMinRomanisedPhrases = 3;      // romanised phrases that make a Latin profile
constexpr double kTemperature = 2.5;         // flattens the naive Bayes posterior
constexpr double kCldWeight = 4.0;           // CLD2's reliable vote, in log-likelihood units
// A language typed in another script than its own (Hinglish, Latin-typed Tigrinya) is
// less likely than a language of that script; its profile is also small, which would
// otherwise make the few words it has count too much.
constexpr double kRomanisedPrior = -2.0;

Script dominant_script(const ScriptCounts& counts) {
  // Latin letters count half: Dutch desk terms (BSN, gemeente) appear in every script.
  const std::pair<int, Script> weighted[] = {
      {counts.latin, Script::latin},           {counts.cyrillic * 2, Script::cyrillic},
      {counts.arabic * 2, Script::arabic},     {counts.devanagari * 2, Script::devanagari},
      {counts.ethiopic * 2, Script::ethiopic}, {counts.han * 4, Script::han},
      {counts.other * 2, Script::other}};
  int best = 0;
  Script script = Script::none;
  for (const auto& [count, which] : weighted) {
    if (count > best) {
      best = count;
      script = which;
    }
  }
  return script;
}

// The language a script, or its telling letters, settle: Ethiopic -> ti, Devanagari ->
// hi, Han -> zh; پ چ ژ گ ی ک without ة ي ى ك -> fa, and the other way round ar; і ї є ґ
// without ъ ѝ -> uk, and the other way round bg.
std::optional<std::string_view> script_rule(Script script, const ScriptCounts& counts) {
  switch (script) {
    case Script::ethiopic:
      return "ti";
    case Script::devanagari:
      return "hi";
    case Script::han:
      return "zh";
    case Script::arabic:
      if (counts.persian_letters > 0 && counts.arabic_letters == 0) return "fa";
      if (counts.arabic_letters > 0 && counts.persian_letters == 0) return "ar";
      return std::nullopt;
    case Script::cyrillic:
      if (counts.ukrainian_letters > 0 && counts.bulgarian_letters == 0) return "uk";
      if (counts.bulgarian_letters > 0 && counts.ukrainian_letters == 0) return "bg";
      return std::nullopt;
    case Script::none:
    case Script::latin:
    case Script::other:
      return std::nullopt;
  }
  return std::nullopt;
}

void add_counts(ScriptCounts& total, const ScriptCounts& more) {
  total.latin += more.latin;
  total.cyrillic += more.cyrillic;
  total.arabic += more.arabic;
  total.devanagari += more.devanagari;
  total.ethiopic += more.ethiopic;
  total.han += more.han;
  total.other += more.other;
}

}  // namespace

Cyrillic LanguageModel::cyrillic_for(std::string_view code) {
  return code == "uk" ? Cyrillic::ukrainian : Cyrillic::bulgarian;
}

LanguageModel::LanguageModel(const match_text::TextFolder& folder, std::vector<std::string> codes,
                             const std::vector<Sample>& samples)
    : folder_(folder), codes_(std::move(codes)) {
  const std::size_t languages = std::min(codes_.size(), kMaxLanguages);
  codes_.resize(languages);

  // First pass: each language's own script, and the words several languages share.
  std::vector<ScriptCounts> script_totals(languages);
  std::unordered_map<Feature, std::uint64_t> word_languages;  // bit per language
  std::vector<std::vector<std::vector<Feature>>> latin_phrases(languages);
  for (const Sample& sample : samples) {
    const std::size_t l = sample.text->language;
    if (l >= languages) continue;
    add_counts(script_totals[l], sample.text->scripts);
    const bool latin_phrase =
        sample.phrase && dominant_script(sample.text->scripts) == Script::latin;
    if (latin_phrase) latin_phrases[l].emplace_back();
    for (const auto& token : sample.text->tokens) {
      const Feature word = match_text::word_feature(token.text);
      word_languages[word] |= std::uint64_t{1} << l;
      if (latin_phrase) latin_phrases[l].back().push_back(word);
    }
  }
  for (const auto& [word, in] : word_languages) {
    if (static_cast<std::size_t>(std::popcount(in)) >= kSharedLanguages) shared_words_.insert(word);
  }

  // Profiles: each language's own script; Latin too for Cyrillic languages and for those
  // with romanised phrases (Latin phrases with two words of the language's own).
  native_script_.resize(languages, Script::none);
  std::vector<std::ptrdiff_t> native_profile(languages, -1);
  std::vector<std::ptrdiff_t> latin_profile(languages, -1);
  for (std::size_t i = 0; i < languages; ++i) {
    ScriptCounts native = script_totals[i];
    native.latin /= 4;  // a catalog's own script wins over the Latin desk terms it quotes
    native_script_[i] = dominant_script(native);
    const Script script = native_script_[i];
    native_profile[i] = static_cast<std::ptrdiff_t>(profiles_.size());
    profiles_.push_back(Profile{
        i, script, script == Script::cyrillic ? Cyrillic::keep : cyrillic_for(codes_[i]), false});
    int romanised = 0;
    for (const auto& words : latin_phrases[i]) {
      const auto own = std::count_if(words.begin(), words.end(), [&](Feature word) {
        return !shared_words_.contains(word) && std::popcount(word_languages[word]) <= 2;
      });
      if (own >= 2) ++romanised;
    }
    if (script == Script::cyrillic ||
        (script != Script::latin && romanised >= kMinRomanisedPhrases)) {
      latin_profile[i] = static_cast<std::ptrdiff_t>(profiles_.size());
      profiles_.push_back(Profile{i, Script::latin, cyrillic_for(codes_[i]), true});
    }
  }

  // Second pass: feature counts per profile, in rows of one float per profile.
  const std::size_t width = profiles_.size();
  std::vector<float> counts;
  std::vector<double> totals(width, 0);
  std::vector<Feature> features;
  auto count = [&](std::size_t profile, const std::vector<match_text::Token>& tokens,
                   double weight) {
    features.clear();
    match_text::add_features(tokens, features);
    for (Feature feature : features) {
      const auto [row, added] = feature_row_.emplace(feature, counts.size());
      if (added) counts.resize(counts.size() + width, 0.0F);
      counts[row->second + profile] += static_cast<float>(weight);
      totals[profile] += weight;
    }
  };
  for (const Sample& sample : samples) {
    const match_text::FoldedText& text = *sample.text;
    const std::size_t l = text.language;
    if (l >= languages) continue;
    const bool latin = dominant_script(text.scripts) == Script::latin;
    if (native_script_[l] == Script::cyrillic) {
      count(static_cast<std::size_t>(native_profile[l]),
            text.kept.empty() ? text.tokens : text.kept, sample.weight);
      count(static_cast<std::size_t>(latin_profile[l]), text.tokens, sample.weight);
    } else if (latin && latin_profile[l] >= 0) {
      count(static_cast<std::size_t>(latin_profile[l]), text.tokens, sample.weight);
    } else {
      count(static_cast<std::size_t>(native_profile[l]), text.tokens, sample.weight);
    }
  }

  // Dirichlet smoothing: every profile starts from the feature's frequency over all
  // profiles, worth kPriorMass observations; a profile's own counts outweigh it the more of
  // them it has. A feature a profile never saw gets its share of the overall frequency, and
  // a small profile (the few romanised phrases of a language) cannot make one word decide.
  double all = 0;
  for (double total : totals) all += total;
  log_probability_.resize(counts.size());
  for (std::size_t row = 0; row < counts.size(); row += width) {
    double sum = 0;
    for (std::size_t p = 0; p < width; ++p) sum += counts[row + p];
    const double background = sum / all;
    for (std::size_t p = 0; p < width; ++p) {
      log_probability_[row + p] = static_cast<float>(
          std::log((counts[row + p] + kPriorMass * background) / (totals[p] + kPriorMass)));
    }
  }
}

std::ptrdiff_t LanguageModel::index_of(std::string_view code) const {
  const auto found = std::find(codes_.begin(), codes_.end(), code);
  return found == codes_.end() ? -1 : found - codes_.begin();
}

Script LanguageModel::native_script(std::string_view code) const {
  const std::ptrdiff_t index = index_of(code);
  return index < 0 ? Script::none : native_script_[static_cast<std::size_t>(index)];
}

Detection LanguageModel::detect(std::string_view utf8) const {
  Detection detection;
  const ScriptCounts counts = match_text::count_scripts(utf8);
  detection.letters = counts.letters();
  detection.script = dominant_script(counts);

  // Candidates: the profiles of the message's script, each scored on the message as its
  // reading folds it (only Cyrillic reads differently).
  std::vector<std::size_t> candidates;
  for (std::size_t p = 0; p < profiles_.size(); ++p) {
    if (profiles_[p].script == detection.script) candidates.push_back(p);
  }
  // Folded once per reading (only Cyrillic reads differently), with its features.
  struct Folded {
    std::vector<match_text::Token> tokens;
    std::vector<Feature> features;
  };
  std::map<Cyrillic, Folded> folded;
  auto fold = [&](Cyrillic reading) -> const Folded& {
    auto found = folded.find(reading);
    if (found != folded.end()) return found->second;
    Folded& entry = folded[reading];
    entry.tokens = folder_.fold(utf8, reading);
    match_text::add_features(entry.tokens, entry.features);
    return entry;
  };
  const Cyrillic plain = Cyrillic::bulgarian;
  const Folded& first = fold(plain);  // the reading the shared words were counted in
  detection.words = static_cast<int>(first.tokens.size());
  bool all_shared = true;
  for (const auto& token : first.tokens) {
    const bool number = std::all_of(token.text.begin(), token.text.end(),
                                    [](char32_t ch) { return ch >= U'0' && ch <= U'9'; });
    if (!number && !shared_words_.contains(match_text::word_feature(token.text))) {
      all_shared = false;
    }
  }
  // Each feature looked up once per reading, then added up for every candidate.
  std::vector<double> scores(candidates.size(), 0);
  std::size_t known_features = 0;
  std::vector<std::size_t> rows;
  for (const Cyrillic reading : {plain, Cyrillic::ukrainian, Cyrillic::keep}) {
    const Folded* message = nullptr;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      const Cyrillic wanted = counts.cyrillic > 0 ? profiles_[candidates[c]].reading : plain;
      if (wanted != reading) continue;
      if (message == nullptr) {
        message = &fold(reading);
        rows.clear();
        for (Feature feature : message->features) {
          if (const auto row = feature_row_.find(feature); row != feature_row_.end()) {
            rows.push_back(row->second);
          }
        }
        known_features = std::max(known_features, rows.size());
      }
      for (std::size_t row : rows) scores[c] += log_probability_[row + candidates[c]];
      if (profiles_[candidates[c]].romanised) scores[c] += kRomanisedPrior;
    }
  }
  const int min_letters = detection.script == Script::han || detection.script == Script::ethiopic
                              ? kMinSyllables
                              : kMinLetters;
  detection.ambiguous = detection.letters < min_letters || all_shared;

  if (const auto code = script_rule(detection.script, counts); code && index_of(*code) >= 0) {
    detection.language = std::string(*code);
    detection.confidence = 1.0;
    detection.decisive = true;
  } else if (!candidates.empty()) {
    if (detection.script == Script::latin && !detection.ambiguous) {
      const cld2::Detection cld = cld2::detect(utf8);
      for (const cld2::Guess& guess : cld.guesses) {
        for (std::size_t c = 0; c < candidates.size(); ++c) {
          if (codes_[profiles_[candidates[c]].language] != guess.code) continue;
          scores[c] += kCldWeight * guess.percent / 100.0 * (cld.reliable ? 1.0 : 0.5);
        }
      }
    }
    const auto best =
        static_cast<std::size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
    // The posterior of the language: its profiles' shares together.
    const std::size_t language = profiles_[candidates[best]].language;
    double sum = 0;
    double own = 0;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
      const double share = std::exp((scores[c] - scores[best]) / kTemperature);
      sum += share;
      if (profiles_[candidates[c]].language == language) own += share;
    }
    detection.language = codes_[language];
    detection.confidence = known_features == 0 ? 0.0 : own / sum;
  }
  // Handed to the matcher when it reads the message the same way.
  if (counts.cyrillic == 0 || cyrillic_for(detection.language) == plain) {
    Folded& message = folded[plain];
    detection.tokens = std::move(message.tokens);
    detection.features = std::move(message.features);
  }
  return detection;
}

}  // namespace buurtlijn::dialogs::language_detect
