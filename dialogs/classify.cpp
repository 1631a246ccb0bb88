// classify(): the language of a message and of the conversation, and the topic and node
// it asks about (see classify.hpp). Pure and thread-safe: reads the Content's immutable
// matching data, keeps everything else in locals.
#include "dialogs/classify.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

#include "dialogs/content_impl.hpp"
#include "dialogs/icu_message.hpp"
#include "dialogs/match_text.hpp"

namespace buurtlijn::dialogs {
namespace {

using language_detect::Detection;
using language_detect::Script;

// Country calling codes and the language most of their people read among the 16.
constexpr std::pair<std::string_view, std::string_view> kCallingCodes[] = {
    {"31", "nl"},  {"32", "nl"},  {"40", "ro"},  {"373", "ro"}, {"359", "bg"}, {"48", "pl"},
    {"380", "uk"}, {"49", "de"},  {"43", "de"},  {"33", "fr"},  {"34", "es"},  {"52", "es"},
    {"54", "es"},  {"57", "es"},  {"58", "es"},  {"51", "es"},  {"56", "es"},  {"593", "es"},
    {"39", "it"},  {"351", "pt"}, {"55", "pt"},  {"244", "pt"}, {"258", "pt"}, {"238", "pt"},
    {"44", "en"},  {"353", "en"}, {"1", "en"},   {"61", "en"},  {"64", "en"},  {"86", "zh"},
    {"886", "zh"}, {"852", "zh"}, {"98", "fa"},  {"93", "fa"},  {"91", "hi"},  {"291", "ti"},
    {"20", "ar"},  {"212", "ar"}, {"213", "ar"}, {"216", "ar"}, {"218", "ar"}, {"249", "ar"},
    {"961", "ar"}, {"962", "ar"}, {"963", "ar"}, {"964", "ar"}, {"965", "ar"}, {"966", "ar"},
    {"967", "ar"}, {"968", "ar"}, {"970", "ar"}, {"971", "ar"}, {"973", "ar"}, {"974", "ar"}};

constexpr std::size_t kMaxExplicitChoiceWords = 5;  // "can we speak English please"
// "polsku" is "polski": a word this long or longer may start with a name's start
// (Understanding::language_stems).
constexpr std::size_t kMinNameStem = 5;
constexpr std::size_t kMaxHanChoice = 18;  // bytes of Chinese around a name: "请用中文" (6 chars)
constexpr std::string_view kArabicBi = "\xD8\xA8";  // ب: "بالعربية", "in Arabic"

// The language a word names: a name exactly, a form of one ("po polsku" for "polski",
// "po-ukrainsky" for "ukrainska", "romaneste" for "romana"), or an Arabic name with the
// preposition bi- ("بالعربية").
std::optional<std::string> named_language(const std::string& word,
                                          const Understanding& understanding) {
  const auto& names = understanding.language_names;
  if (const auto found = names.find(word); found != names.end()) return found->second;
  if (word.starts_with(kArabicBi) && word.size() > 2 * kArabicBi.size()) {
    if (const auto found = names.find(word.substr(kArabicBi.size())); found != names.end()) {
      return found->second;
    }
  }
  const bool ascii = std::all_of(word.begin(), word.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii || word.size() < kMinNameStem) return std::nullopt;
  for (std::size_t length = word.size(); length >= kMinNameStem; --length) {
    const auto found = understanding.language_stems.find(word.substr(0, length));
    if (found != understanding.language_stems.end()) return found->second;
  }
  return std::nullopt;
}

// The language a short message names: "English please", "po romaneste", "auf Deutsch",
// "بالعربية", "中文". Every other word must be one that goes with a language choice (the
// `language` node's words, greetings) or a word of one or two letters ("in", "po"), so
// "a Polish shop" names no language.
std::optional<std::string> explicit_choice(const std::vector<match_text::Token>& tokens,
                                           const Understanding& understanding) {
  if (tokens.empty() || tokens.size() > kMaxExplicitChoiceWords) return std::nullopt;
  std::string han;
  std::optional<std::string> named;
  for (const match_text::Token& token : tokens) {
    const std::string word = match_text::to_utf8(token.text);
    if (token.han) {
      han += word;
      continue;
    }
    if (auto code = named_language(word, understanding)) {
      if (named && *named != *code) return std::nullopt;  // "English or Dutch?"
      named = std::move(code);
    } else if (token.text.size() > 2 && !understanding.language_choice_words.contains(word)) {
      return std::nullopt;
    }
  }
  if (!han.empty()) {
    if (han.size() > kMaxHanChoice) return std::nullopt;
    for (const auto& [name, code] : understanding.language_names) {
      // Two characters at least: a Chinese name, not one of the Latin ones.
      if (name.size() >= 6 && static_cast<unsigned char>(name.front()) >= 0xE0 &&
          han.find(name) != std::string::npos) {
        if (named && *named != code) return std::nullopt;
        named = code;
        break;
      }
    }
    if (!named) return std::nullopt;
  }
  return named;
}

bool scripts_compatible(Script message, Script language) {
  if (message == language) return true;
  // Bulgarian and Ukrainian are typed in Latin letters too.
  return message == Script::latin && language == Script::cyrillic;
}

// The stickiness rule of classify.hpp.
bool should_switch(const Detection& detection, std::string_view current,
                   const language_detect::LanguageModel& model) {
  if (detection.ambiguous || detection.language.empty() || detection.language == current) {
    return false;
  }
  const Script current_script = model.native_script(current);
  if (!scripts_compatible(detection.script, current_script)) {
    return detection.letters >= kSwitchLettersOtherScript;
  }
  if (detection.script != Script::latin) return detection.decisive;
  return detection.letters >= kSwitchLetters && detection.words >= 2 &&
         detection.confidence >= kSwitchConfidence;
}

// The node a classification names when the best node does not clearly beat the
// runner-up of its topic: the lowest menu above both (never the root).
std::size_t common_menu(const Content::Impl& impl, std::size_t a, std::size_t b) {
  auto chain = [&impl](std::size_t node) {
    std::vector<std::size_t> up;
    for (std::size_t at = node;;) {
      up.push_back(at);
      const std::string& parent = impl.nodes[at].parent;
      const auto found = impl.node_index.find(parent);
      if (parent.empty() || found == impl.node_index.end() || found->second == impl.root) break;
      at = found->second;
    }
    return up;
  };
  const std::vector<std::size_t> above_a = chain(a);
  const std::vector<std::size_t> above_b = chain(b);
  for (std::size_t node : above_a) {
    if (impl.nodes[node].kind != NodeKind::menu && node != a) continue;
    if (std::find(above_b.begin(), above_b.end(), node) != above_b.end()) return node;
  }
  return above_a.back();  // the topic's entry in the main menu
}

std::string reported_topic(std::string_view topic) {
  for (std::string_view known : {"brp", "waste", "tenant", "report", "human", "greeting"}) {
    if (topic == known) return std::string(topic);
  }
  return "unknown";
}

}  // namespace

std::vector<std::string> languages_from_hint(std::string_view hint, const Content& content) {
  struct Ranked {
    std::string code;
    double quality;
  };
  std::vector<Ranked> ranked;
  while (!hint.empty() && ranked.size() < 32) {
    const auto comma = hint.find(',');
    std::string_view item = match_text::trim(hint.substr(0, comma));
    hint = comma == std::string_view::npos ? std::string_view() : hint.substr(comma + 1);
    double quality = 1.0;
    if (const auto semicolon = item.find(';'); semicolon != std::string_view::npos) {
      std::string_view parameter = match_text::trim(item.substr(semicolon + 1));
      item = match_text::trim(item.substr(0, semicolon));
      if (parameter.starts_with("q=")) {
        parameter.remove_prefix(2);
        double parsed = 0;
        const auto result =
            std::from_chars(parameter.data(), parameter.data() + parameter.size(), parsed);
        if (result.ec == std::errc() && parsed >= 0 && parsed <= 1) quality = parsed;
      }
    }
    std::string code = match_text::primary_subtag(item);
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

std::string language_of_phone_number(std::string_view phone_number, const Content& content) {
  std::string digits;
  bool international = false;
  for (char c : match_text::trim(phone_number)) {
    if (c == '+' && digits.empty()) {
      international = true;
    } else if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') {
      return {};
    }
  }
  if (!international) {
    if (!digits.starts_with("00")) return {};  // a national number says nothing
    digits.erase(0, 2);
  }
  std::string_view best_code;
  std::size_t best_length = 0;
  for (const auto& [prefix, code] : kCallingCodes) {
    if (digits.starts_with(prefix) && prefix.size() > best_length) {
      best_code = code;
      best_length = prefix.size();
    }
  }
  if (best_code.empty() || !content.has_language(best_code)) return {};
  return std::string(best_code);
}

std::string_view to_string(LanguageSource source) {
  switch (source) {
    case LanguageSource::explicit_choice:
      return "explicit_choice";
    case LanguageSource::conversation:
      return "conversation";
    case LanguageSource::channel:
      return "channel";
    case LanguageSource::detected:
      return "detected";
    case LanguageSource::phone:
      return "phone";
    case LanguageSource::fallback:
      return "fallback";
  }
  return "fallback";
}

std::vector<std::pair<std::string, double>> rank_nodes(std::string_view text,
                                                       const Content& content,
                                                       std::string_view language) {
  const Content::Impl& impl = content.impl();
  std::vector<std::pair<std::string, double>> out;
  if (!impl.understanding || !icu_message::is_valid_utf8(text)) return out;
  const auto tokens =
      impl.understanding->folder.fold(text, language_detect::LanguageModel::cyrillic_for(language));
  const auto index = impl.language_index(language);
  const auto& intents = *impl.understanding->intents;
  std::vector<match_text::Feature> features;
  match_text::add_features(tokens, features);
  for (const auto& scored : intents.rank(tokens, features, index.value_or(impl.languages.size()),
                                         intents.matched_terms(tokens))) {
    out.emplace_back(scored.node < impl.nodes.size() ? impl.nodes[scored.node].id : "(off_topic)",
                     scored.score);
  }
  return out;
}

double calibrated_confidence(double score) {
  constexpr double kMost = 0.99;  // never certain
  const double logistic = 1 / (1 + std::exp(-kConfidenceSlope * (score - kUnderstoodScore)));
  return std::clamp(logistic, 1 - kMost, kMost);
}

bool is_valid_utf8(std::string_view text) {
  return icu_message::is_valid_utf8(text);
}

Classification classify(std::string_view text, const Content& content, const ClassifyHints& hints) {
  const Content::Impl& impl = content.impl();
  Classification result;
  result.confidence = calibrated_confidence(0.0);  // nothing ranked: a score of 0
  if (!icu_message::is_valid_utf8(text)) text = {};
  if (!impl.understanding) {
    result.language = "nl";
    return result;
  }
  const Understanding& understanding = *impl.understanding;

  // The language: explicit choice > conversation > channel > detection > phone > Dutch;
  // a detected language replaces the conversation's or the channel's only by the rule
  // of should_switch().
  Detection detection = understanding.languages->detect(text);
  if (!detection.ambiguous) {
    result.detected_language = detection.language;
    result.language_confidence = detection.confidence;
  }
  const match_text::Cyrillic reading = language_detect::LanguageModel::cyrillic_for(
      detection.language.empty() ? hints.current_language : detection.language);
  std::vector<match_text::Token> tokens = std::move(detection.tokens);
  std::vector<match_text::Feature> features = std::move(detection.features);
  if (tokens.empty()) {
    tokens = understanding.folder.fold(text, reading);
    features.clear();
    match_text::add_features(tokens, features);
  }

  std::string base;
  LanguageSource base_source = LanguageSource::fallback;
  if (content.has_language(hints.current_language)) {
    base = std::string(hints.current_language);
    base_source = LanguageSource::conversation;
  } else if (const auto hinted = languages_from_hint(hints.channel_hint, content);
             !hinted.empty()) {
    base = hinted.front();
    base_source = LanguageSource::channel;
  }
  if (auto chosen = explicit_choice(tokens, understanding);
      chosen && content.has_language(*chosen)) {
    result.language = std::move(*chosen);
    result.language_source = LanguageSource::explicit_choice;
  } else if (!base.empty()) {
    const bool switch_language = should_switch(detection, base, *understanding.languages);
    result.language = switch_language ? detection.language : base;
    result.language_source = switch_language ? LanguageSource::detected : base_source;
  } else if (!detection.ambiguous && !detection.language.empty() &&
             detection.confidence >= kFirstMessageConfidence) {
    result.language = detection.language;
    result.language_source = LanguageSource::detected;
  } else if (std::string phone = language_of_phone_number(hints.phone_number, content);
             !phone.empty()) {
    result.language = std::move(phone);
    result.language_source = LanguageSource::phone;
  } else {
    result.language = content.has_language("nl") ? "nl" : impl.languages.front().code;
    result.language_source = LanguageSource::fallback;
  }

  // The intent. Safety first: whatever else the message says.
  if (tokens.empty()) return result;
  const intent_index::IntentIndex& intents = *understanding.intents;
  const intent_index::IntentIndex::TermHits hits = intents.matched_terms(tokens);
  if (understanding.safety_node != SIZE_MAX && intents.is_safety(tokens, hits)) {
    result.safety = true;
    result.topic = reported_topic(impl.nodes[understanding.safety_node].topic);
    result.node = impl.nodes[understanding.safety_node].id;
    result.confidence = kSafetyConfidence;
    return result;
  }
  const std::string& message_language =
      !detection.ambiguous && !detection.language.empty() ? detection.language : result.language;
  const std::size_t language_index =
      impl.language_index(message_language).value_or(impl.languages.size());
  // A message of only short or common words ("ok", "yes", "da") is about nothing, unless
  // it greets.
  // Greeting words ("hallo", "buenas tardes", "你好") and what is left without them.
  const std::size_t greeting_words = intents.leading_greetings(tokens);
  const bool greets = greeting_words > 0;
  const std::vector<match_text::Token> rest(
      tokens.begin() + static_cast<std::ptrdiff_t>(greeting_words), tokens.end());
  auto greeting = [&] {
    result.topic = "greeting";
    result.node = impl.nodes[impl.root].id;
    result.confidence = kGreetingConfidence;
    return result;
  };
  // A message of only short or common words ("ok", "yes", "da") is about nothing, unless
  // it greets.
  if (!intents.has_telling_words(tokens, language_index)) {
    std::vector<match_text::Token> anywhere = tokens;
    if (intents.strip_greetings(anywhere)) return greeting();
    return result;
  }
  auto real_nodes_only = [&](std::vector<intent_index::NodeScore>& scores) {
    // The safety answer hands the conversation over: without a safety phrase, the ranking
    // alone must be surer of it than of an ordinary answer.
    std::erase_if(scores, [&](const intent_index::NodeScore& scored) {
      return scored.node == understanding.safety_node && scored.score < kSafetyRankedScore;
    });
  };
  std::vector<intent_index::NodeScore> ranked;
  if (greets && !rest.empty()) {
    // A greeting that says more ("hallo, waar kan ik me inschrijven?"): what is left after
    // the greeting words decides when it is clear: two or more telling words, or a
    // keyword of the node ("hallo, BSN?"), scoring kAfterGreetingScore. Otherwise it is
    // small talk around the greeting ("buenas tardes a todos", "bonsoir a vous") and greets.
    std::vector<match_text::Feature> rest_features;
    match_text::add_features(rest, rest_features);
    const auto rest_hits = intents.matched_terms(rest);
    ranked = intents.rank(rest, rest_features, language_index, rest_hits);
    real_nodes_only(ranked);
    if (ranked.empty() || ranked.front().node == impl.root ||
        ranked.front().node == understanding.off_topic_node ||
        ranked.front().score < kAfterGreetingScore ||
        (intents.telling_words(rest, language_index) < 2 &&
         !intents.has_keyword_of(ranked.front().node, rest_hits))) {
      return greeting();
    }
  } else {
    ranked = intents.rank(tokens, features, language_index, hits);
    real_nodes_only(ranked);
  }
  if (ranked.empty()) return result;
  // Nearest to the off-topic phrases (the weather, a train, a shop): not for Buurtlijn.
  // The confidence is what the best node of the tree would have had, halved.
  if (ranked.front().node == understanding.off_topic_node) {
    result.confidence = calibrated_confidence(ranked.size() > 1 ? ranked[1].score : 0.0) / 2;
    return result;
  }
  result.confidence = calibrated_confidence(ranked.front().score);
  if (result.confidence < kUnderstoodThreshold) return result;
  const intent_index::NodeScore& top = ranked.front();
  const Node& node = impl.nodes[top.node];
  if (top.node == impl.root) {
    result.topic = "greeting";
    result.node = node.id;
    return result;
  }
  result.topic = reported_topic(node.topic);
  result.safety = top.node == understanding.safety_node;
  std::size_t chosen = top.node;
  for (std::size_t i = 1; i < ranked.size(); ++i) {
    if (ranked[i].node >= impl.nodes.size()) continue;  // off-topic
    const Node& other = impl.nodes[ranked[i].node];
    if (other.topic != node.topic || ranked[i].node == impl.root) continue;
    if (top.score - ranked[i].score < kNodeMargin) {
      chosen = common_menu(impl, top.node, ranked[i].node);
    }
    break;
  }
  result.node = impl.nodes[chosen].id;
  return result;
}

}  // namespace buurtlijn::dialogs
