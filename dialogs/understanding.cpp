// Building the matching data of a Content (see understanding.hpp). Runs once per parse;
// thread-safe: it shares nothing with other calls.
#include "dialogs/understanding.hpp"

#include <unicode/locid.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "dialogs/content_impl.hpp"
#include "dialogs/icu_message.hpp"

namespace buurtlijn::dialogs {
namespace {

using intent_index::Phrase;
using intent_index::PhraseKind;
using language_detect::Sample;

// How much a phrase counts for the language model, against a text's 1: phrases are
// written the way people type.
constexpr double kPhraseWeight = 3;
constexpr double kKeywordWeight = 2;
constexpr std::size_t kMinNameChars = 3;
constexpr std::size_t kMinNameStem = 5;  // a name's start: at least this long, ...
constexpr std::size_t kNameEnding = 3;   // ... and all of it but at most this many letters

// Names people use for a language besides ICU's ("farsi" for Persian).
constexpr std::pair<std::string_view, std::string_view> kExtraNames[] = {
    {"farsi", "fa"},      {"dari", "fa"},      {"mandarin", "zh"},  {"putonghua", "zh"},
    {"tigrigna", "ti"},   {"tigrinia", "ti"},  {"vlaams", "nl"},    {"moldoveneasca", "ro"},
    {"hindustani", "hi"}, {"arabi", "ar"},     {"bulgarski", "bg"}, {"bolgarski", "bg"},
    {"ukrainski", "uk"},  {"romaneste", "ro"}, {"rumunski", "ro"},  {"nemski", "de"},
    {"angliiski", "en"},  {"angliyski", "en"}, {"angliiska", "en"}, {"hindee", "hi"},
    {"हिंदी", "hi"},       {"ብትግርኛ", "ti"},     {"tigrinyi", "ti"},  {"zhongwen", "zh"},
    {"عربي", "ar"},       {"بالعربي", "ar"},   {"فارسي", "fa"}};

void add_name(Understanding& understanding, std::set<std::string>& clashes, const std::string& name,
              const std::string& code) {
  if (name.size() < kMinNameChars || name == code || clashes.contains(name)) return;
  const auto [it, inserted] = understanding.language_names.emplace(name, code);
  if (!inserted && it->second != code) {
    clashes.insert(name);
    understanding.language_names.erase(it);
  }
}

void add_language_names(const std::vector<LanguageInfo>& languages, Understanding& understanding) {
  std::set<std::string> clashes;
  auto add_folded = [&](std::string_view text, const std::string& code) {
    for (auto reading : {match_text::Cyrillic::bulgarian, match_text::Cyrillic::ukrainian}) {
      add_name(understanding, clashes, understanding.folder.folded_string(text, reading), code);
    }
  };
  std::vector<icu::Locale> display_locales{icu::Locale::getEnglish()};
  for (const LanguageInfo& language : languages) {
    display_locales.emplace_back(language.code.c_str());
  }
  for (const LanguageInfo& language : languages) {
    add_folded(language.native_name, language.code);
    const icu::Locale locale(language.code.c_str());
    for (const icu::Locale& display : display_locales) {
      icu::UnicodeString name;
      locale.getDisplayLanguage(display, name);
      add_folded(icu_message::to_utf8(name), language.code);
    }
  }
  for (const auto& [name, code] : kExtraNames) {
    for (const LanguageInfo& language : languages) {
      if (language.code == code) add_folded(name, language.code);
    }
  }
  std::set<std::string> stem_clashes;
  for (const auto& [name, code] : understanding.language_names) {
    const bool ascii = std::all_of(name.begin(), name.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii || name.size() < kMinNameStem) continue;
    const std::string stem = name.substr(0, std::max(kMinNameStem, name.size() - kNameEnding));
    if (stem_clashes.contains(stem)) continue;
    const auto [it, inserted] = understanding.language_stems.emplace(stem, code);
    if (!inserted && it->second != code) {
      stem_clashes.insert(stem);
      understanding.language_stems.erase(it);
    }
  }
}

}  // namespace

std::unique_ptr<const Understanding> build_understanding(
    const std::vector<content_files::RawCatalog>& raws, const Content::Impl& impl) {
  auto understanding = std::make_unique<Understanding>();
  const match_text::TextFolder& folder = understanding->folder;
  std::vector<std::string> codes;
  for (const LanguageInfo& language : impl.languages) codes.push_back(language.code);
  for (std::size_t n = 0; n < impl.nodes.size(); ++n) {
    if (impl.nodes[n].trigger == kSafetyTrigger) understanding->safety_node = n;
  }
  understanding->off_topic_node = impl.nodes.size();
  const auto language_node = impl.node_index.find("language");
  auto add_choice_words = [&](const match_text::FoldedText& text) {
    for (const match_text::Token& token : text.tokens) {
      understanding->language_choice_words.insert(match_text::to_utf8(token.text));
    }
  };

  // Every text folded once, for both models (a deque keeps the addresses).
  std::deque<match_text::FoldedText> corpus;
  auto fold = [&](std::size_t language, std::string_view text) {
    match_text::FoldedText& folded = corpus.emplace_back();
    folded.language = language;
    folded.scripts = match_text::count_scripts(text);
    folded.tokens =
        folder.fold(text, language_detect::LanguageModel::cyrillic_for(codes[language]));
    if (folded.scripts.cyrillic > 0) folded.kept = folder.fold(text, match_text::Cyrillic::keep);
    return &folded;
  };
  std::vector<Sample> samples;
  std::vector<Phrase> phrases;
  const std::string language_text = node_text_key("language");  // names every language
  for (std::size_t l = 0; l < impl.catalogs.size() && l < raws.size(); ++l) {
    const content_files::RawCatalog& raw = raws[l];
    const auto& entries = impl.catalogs[l].entries;
    std::map<std::string_view, const match_text::FoldedText*> node_texts;
    for (const auto& [key, entry] : entries) {
      if (key == language_text) continue;
      const auto* folded = fold(l, entry.rendered ? *entry.rendered : entry.pattern);
      samples.push_back(Sample{folded, 1, false});
      node_texts.emplace(key, folded);
    }
    samples.push_back(Sample{fold(l, raw.info.native_name), kKeywordWeight, false});
    for (const std::string& word : raw.menu_words) {
      samples.push_back(Sample{fold(l, word), kKeywordWeight, false});
    }
    for (std::size_t n = 0; n < impl.nodes.size(); ++n) {
      const std::string& id = impl.nodes[n].id;
      if (const auto found = raw.examples.find(id); found != raw.examples.end()) {
        for (const std::string& example : found->second) {
          const auto* folded = fold(l, example);
          samples.push_back(Sample{folded, kPhraseWeight, true});
          phrases.push_back(Phrase{n, folded, PhraseKind::example});
          if (language_node != impl.node_index.end() && language_node->second == n) {
            add_choice_words(*folded);
          }
        }
      }
      if (const auto found = raw.keywords.find(id); found != raw.keywords.end()) {
        for (const std::string& keyword : found->second) {
          const auto* folded = fold(l, keyword);
          samples.push_back(Sample{folded, kKeywordWeight, true});
          phrases.push_back(Phrase{n, folded, PhraseKind::keyword});
          if (language_node != impl.node_index.end() && language_node->second == n) {
            add_choice_words(*folded);
          }
        }
      }
      if (n == impl.root) continue;
      if (const auto label = node_texts.find(node_label_key(id)); label != node_texts.end()) {
        phrases.push_back(Phrase{n, label->second, PhraseKind::label});
        if (language_node != impl.node_index.end() && language_node->second == n) {
          add_choice_words(*label->second);
        }
      }
      if (const auto text = node_texts.find(node_text_key(id)); text != node_texts.end()) {
        phrases.push_back(Phrase{n, text->second, PhraseKind::text});
      }
    }
    for (const std::string& greeting : raw.greetings) {
      const auto* folded = fold(l, greeting);
      add_choice_words(*folded);
      samples.push_back(Sample{folded, kPhraseWeight, true});
      phrases.push_back(Phrase{impl.root, folded, PhraseKind::greeting});
    }
    if (understanding->safety_node != SIZE_MAX) {
      for (const std::string& phrase : raw.safety) {
        const auto* folded = fold(l, phrase);
        samples.push_back(Sample{folded, kPhraseWeight, true});
        phrases.push_back(Phrase{understanding->safety_node, folded, PhraseKind::safety});
      }
    }
    for (const std::string& phrase : raw.off_topic) {
      const auto* folded = fold(l, phrase);
      samples.push_back(Sample{folded, kPhraseWeight, true});
      phrases.push_back(Phrase{understanding->off_topic_node, folded, PhraseKind::example});
    }
  }
  understanding->languages =
      std::make_unique<language_detect::LanguageModel>(folder, codes, samples);
  std::vector<std::uint32_t> topics;  // per node, its topic's number
  std::map<std::string, std::uint32_t> topic_numbers;
  for (const Node& node : impl.nodes) {
    topics.push_back(
        topic_numbers.emplace(node.topic, static_cast<std::uint32_t>(topic_numbers.size()))
            .first->second);
  }
  understanding->intents = std::make_unique<intent_index::IntentIndex>(
      codes.size(), impl.nodes.size() + 1, phrases, topics);
  add_language_names(impl.languages, *understanding);
  return understanding;
}

}  // namespace buurtlijn::dialogs
