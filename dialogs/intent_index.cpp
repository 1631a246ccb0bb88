// Intent ranking (see intent_index.hpp). Thread-safe: immutable after construction.
#include "dialogs/intent_index.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <set>

namespace buurtlijn::dialogs::intent_index {
namespace {

using match_text::Feature;
using match_text::Token;

constexpr std::size_t kMinStem = 4;    // words sharing this many first letters may be one stem
constexpr double kMinStemShare = 0.5;  // ... if that is at least this share of the longer word
constexpr std::size_t kMinTypo = 5;    // a term this long also matches one typo away
constexpr double kStemQuality = 0.8;
constexpr double kTypoQuality = 0.7;
constexpr double kCommonWordShare = 0.05;  // a word in this share of a language's phrases ...
constexpr std::uint32_t kMinCommonWordPhrases = 3;  // ... and in at least this many ...
constexpr int kMinCommonWordGroups =
    3;  // ... of this many topics is common ("de", "how"; not "垃圾")
constexpr std::size_t kCoverageLeaders = 6;  // nodes re-weighed by what they explain

constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

std::uint64_t hash_step(std::uint64_t hash, char32_t c) {
  hash ^= static_cast<std::uint64_t>(c);
  return hash * kFnvPrime;
}

// Hashes of `word` without one of its letters, for each letter.
std::vector<std::uint64_t> one_deletions(std::u32string_view word) {
  std::vector<std::uint64_t> out;
  out.reserve(word.size());
  for (std::size_t skip = 0; skip < word.size(); ++skip) {
    std::uint64_t hash = kFnvOffset;
    for (std::size_t i = 0; i < word.size(); ++i) {
      if (i != skip) hash = hash_step(hash, word[i]);
    }
    out.push_back(hash);
  }
  return out;
}

// Sorted (feature, 1 + log count) pairs of a feature list.
std::vector<std::pair<Feature, double>> term_frequencies(std::vector<Feature> features) {
  std::sort(features.begin(), features.end());
  std::vector<std::pair<Feature, double>> out;
  for (std::size_t i = 0; i < features.size();) {
    std::size_t j = i;
    while (j < features.size() && features[j] == features[i]) ++j;
    out.emplace_back(features[i], 1 + std::log(static_cast<double>(j - i)));
    i = j;
  }
  return out;
}

}  // namespace

IntentIndex::TermId IntentIndex::term_id(const std::u32string& term, bool han) {
  const auto [it, inserted] = term_ids_.emplace(term, static_cast<TermId>(terms_.size()));
  if (!inserted) return it->second;
  const TermId id = it->second;
  terms_.push_back(term);
  if (han) {
    han_terms_.push_back(id);
    return id;
  }
  std::uint64_t hash = kFnvOffset;
  for (std::size_t length = 1; length <= term.size(); ++length) {
    hash = hash_step(hash, term[length - 1]);
    if (length >= kMinStem) term_prefixes_[hash].push_back(id);
  }
  if (term.size() >= kMinTypo) {
    for (std::uint64_t shorter : one_deletions(term)) one_deletion_[shorter].push_back(id);
  }
  return id;
}

IntentIndex::IntentIndex(std::size_t language_count, std::size_t node_count,
                         const std::vector<Phrase>& phrases,
                         const std::vector<std::uint32_t>& node_groups, Weights weights)
    : weights_(weights), node_count_(node_count) {
  // Every (feature, document) of the phrases and texts, with its term frequency.
  struct Occurrence {
    Feature feature;
    std::uint32_t document;
    float frequency;
  };
  std::vector<Occurrence> occurrences;
  std::vector<float> document_weight;
  std::map<std::vector<TermId>, std::size_t> keyword_index;
  // Per language, in how many phrases a word occurs: to tell telling words from common ones.
  std::vector<std::unordered_map<Feature, std::uint32_t>> word_phrases(language_count);
  // ... and in the phrases of which topics (node_groups, as bits): a word many phrases of
  // one topic share ("垃圾", "afval") tells that topic; only a word of many topics is common.
  std::vector<std::unordered_map<Feature, std::uint64_t>> word_groups(language_count);
  std::vector<std::size_t> phrase_count(language_count, 0);
  std::vector<const Phrase*> safety;
  std::vector<Feature> features;
  std::vector<Feature> words;
  for (const Phrase& phrase : phrases) {
    const std::size_t language = phrase.text->language;
    if (phrase.node >= node_count || language >= language_count) continue;
    const std::vector<Token>& tokens = phrase.text->tokens;
    if (tokens.empty()) continue;
    switch (phrase.kind) {
      case PhraseKind::keyword: {
        std::vector<TermId> terms;
        terms.reserve(tokens.size());
        for (const Token& token : tokens) terms.push_back(term_id(token.text, token.han));
        std::sort(terms.begin(), terms.end());
        terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
        const auto [entry, inserted] = keyword_index.emplace(terms, keywords_.size());
        if (inserted) keywords_.push_back(KeywordEntry{terms, {}});
        auto& nodes = keywords_[entry->second].nodes;
        if (std::find(nodes.begin(), nodes.end(), phrase.node) == nodes.end()) {
          nodes.push_back(phrase.node);
        }
        continue;
      }
      case PhraseKind::greeting: {
        std::vector<TermId> words;
        for (const Token& token : tokens) {
          words.push_back(term_id(token.text, token.han));
          greeting_terms_.insert(words.back());
        }
        greeting_phrases_.push_back(std::move(words));
        break;
      }
      case PhraseKind::safety:
        safety_node_ = phrase.node;
        for (const Token& token : tokens) term_id(token.text, token.han);
        safety.push_back(&phrase);
        break;
      case PhraseKind::example:
      case PhraseKind::label:
      case PhraseKind::text:
        break;
    }
    if (phrase.kind != PhraseKind::text) {
      ++phrase_count[language];
      words.clear();
      for (const Token& token : tokens) words.push_back(match_text::word_feature(token.text));
      std::sort(words.begin(), words.end());
      words.erase(std::unique(words.begin(), words.end()), words.end());
      const std::uint64_t group = phrase.node < node_groups.size()
                                      ? std::uint64_t{1} << (node_groups[phrase.node] % 64)
                                      : ~std::uint64_t{0};
      for (Feature word : words) {
        ++word_phrases[language][word];
        word_groups[language][word] |= group;
      }
    }
    if (phrase.kind == PhraseKind::safety) continue;  // matched by its words, not ranked
    features.clear();
    match_text::add_features(tokens, features);
    const auto document = static_cast<std::uint32_t>(document_node_.size());
    for (const auto& [feature, frequency] : term_frequencies(features)) {
      occurrences.push_back(Occurrence{feature, document, static_cast<float>(frequency)});
    }
    document_weight.push_back(
        static_cast<float>(phrase.kind == PhraseKind::label ? weights_.label : 1.0));
    document_is_text_.push_back(phrase.kind == PhraseKind::text);
    document_node_.push_back(static_cast<std::uint32_t>(phrase.node));
    document_language_.push_back(static_cast<std::uint32_t>(language));
  }

  // Documents in order of (kind, node), so that a query reads each node's phrases and
  // texts as one run: phrases first, then texts.
  {
    std::vector<std::uint32_t> order(document_node_.size());
    for (std::uint32_t d = 0; d < order.size(); ++d) order[d] = d;
    std::stable_sort(order.begin(), order.end(), [this](std::uint32_t a, std::uint32_t b) {
      if (document_is_text_[a] != document_is_text_[b]) return !document_is_text_[a];
      return document_node_[a] < document_node_[b];
    });
    std::vector<std::uint32_t> position(order.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) position[order[i]] = i;
    for (Occurrence& occurrence : occurrences) occurrence.document = position[occurrence.document];
    auto reorder = [&order](auto& values) {
      auto copy = values;
      for (std::size_t i = 0; i < order.size(); ++i) values[i] = copy[order[i]];
    };
    reorder(document_weight);
    reorder(document_node_);
    reorder(document_language_);
    reorder(document_is_text_);
    phrase_runs_.assign(node_count + 1, 0);
    text_runs_.assign(node_count + 1, 0);
    for (std::uint32_t d = 0; d < document_node_.size(); ++d) {
      auto& runs = document_is_text_[d] ? text_runs_ : phrase_runs_;
      ++runs[document_node_[d] + 1];
    }
    phrase_runs_[0] = 0;
    for (std::size_t n = 1; n <= node_count; ++n) phrase_runs_[n] += phrase_runs_[n - 1];
    text_runs_[0] = phrase_runs_[node_count];
    for (std::size_t n = 1; n <= node_count; ++n) text_runs_[n] += text_runs_[n - 1];
  }

  // Keywords, looked up by term.
  for (std::uint32_t k = 0; k < keywords_.size(); ++k) {
    for (TermId term : keywords_[k].terms) keywords_of_term_[term].push_back(k);
  }
  common_words_.resize(language_count);
  for (std::size_t l = 0; l < language_count; ++l) {
    for (const auto& [word, count] : word_phrases[l]) {
      if (count >= kMinCommonWordPhrases &&
          static_cast<double>(count) >= kCommonWordShare * static_cast<double>(phrase_count[l]) &&
          std::popcount(word_groups[l][word]) >= kMinCommonWordGroups) {
        common_words_[l].insert(word);
      }
    }
  }

  std::stable_sort(greeting_phrases_.begin(), greeting_phrases_.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  greeting_phrases_.erase(std::unique(greeting_phrases_.begin(), greeting_phrases_.end()),
                          greeting_phrases_.end());

  // Safety phrases by their telling words: "me quitaron el pasaporte" needs "quitaron"
  // and "pasaporte", not "me" and "el".
  for (const Phrase* phrase : safety) {
    std::vector<TermId> telling;
    for (const Token& token : phrase->text->tokens) {
      if (!is_common(phrase->text->language, token)) telling.push_back(term_ids_.at(token.text));
    }
    if (telling.empty()) continue;
    if (telling.size() == 1) {  // "help", "help me": only a short message is that alone
      safety_words_.push_back(telling.front());
    } else {
      // Looked up by its first word: a phrase matches only when all of them do.
      safety_phrases_of_term_[telling.front()].push_back(
          static_cast<std::uint32_t>(safety_phrases_.size()));
      safety_phrases_.push_back(std::move(telling));
    }
  }

  // TF-IDF: features grouped, their weight from how many documents have them, documents
  // normalised to length 1 (times their kind's weight), postings and node lists per feature.
  std::sort(occurrences.begin(), occurrences.end(), [](const Occurrence& a, const Occurrence& b) {
    return a.feature != b.feature ? a.feature < b.feature : a.document < b.document;
  });
  const auto total = static_cast<double>(document_node_.size());
  const auto max_frequency = static_cast<std::size_t>(weights_.max_document_frequency * total) + 1;
  unknown_idf_ = static_cast<float>(std::log(1 + total));
  std::vector<double> norm(document_node_.size(), 0.0);
  features_.reserve(occurrences.size() / 4);
  for (std::size_t i = 0; i < occurrences.size();) {
    std::size_t j = i;
    while (j < occurrences.size() && occurrences[j].feature == occurrences[i].feature) ++j;
    const std::size_t frequency = j - i;
    FeatureInfo info;
    // Too common to tell nodes apart: weight 0, and not counted as unexplained either.
    info.idf = frequency > max_frequency
                   ? 0.0F
                   : static_cast<float>(std::log(1 + total / static_cast<double>(frequency)));
    info.nodes_begin = static_cast<std::uint32_t>(feature_nodes_.size());
    for (std::size_t k = i; k < j; ++k) {
      const double weight = occurrences[k].frequency * info.idf;
      norm[occurrences[k].document] += weight * weight;
      const auto node = static_cast<std::uint16_t>(document_node_[occurrences[k].document]);
      if (std::find(feature_nodes_.begin() + info.nodes_begin, feature_nodes_.end(), node) ==
          feature_nodes_.end()) {
        feature_nodes_.push_back(node);
      }
    }
    info.nodes_end = static_cast<std::uint32_t>(feature_nodes_.size());
    features_.emplace(occurrences[i].feature, info);
    i = j;
  }
  for (std::size_t i = 0; i < occurrences.size();) {
    FeatureInfo& info = features_.at(occurrences[i].feature);
    info.postings_begin = static_cast<std::uint32_t>(postings_.size());
    std::size_t j = i;
    for (; j < occurrences.size() && occurrences[j].feature == occurrences[i].feature; ++j) {
      const std::uint32_t document = occurrences[j].document;
      if (info.idf <= 0 || norm[document] <= 0) continue;
      const double weight = occurrences[j].frequency * info.idf * document_weight[document] /
                            std::sqrt(norm[document]);
      postings_.push_back(Posting{document, static_cast<float>(weight)});
    }
    info.postings_end = static_cast<std::uint32_t>(postings_.size());
    i = j;
  }
}

IntentIndex::TermHits IntentIndex::matched_terms(const std::vector<Token>& tokens) const {
  TermHits hits;
  auto hit = [&hits](TermId term, double quality) { hits.emplace_back(term, quality); };
  std::u32string han_text;
  std::vector<std::uint64_t> prefixes;
  std::vector<TermId> seen;
  for (const Token& token : tokens) {
    if (token.han) {
      han_text += token.text;
      continue;
    }
    const std::u32string& word = token.text;
    if (const auto exact = term_ids_.find(word); exact != term_ids_.end()) hit(exact->second, 1.0);
    // The longest start the word shares with each term: "quito" and "quitaron". A start
    // shorter than half the word cannot count; a term sharing a longer start shares that
    // shortest one too, so it is looked up first.
    const std::size_t shortest = std::max(
        kMinStem,
        static_cast<std::size_t>(std::ceil(kMinStemShare * static_cast<double>(word.size()))));
    if (word.size() >= shortest) {
      prefixes.clear();
      std::uint64_t hash = kFnvOffset;
      for (char32_t c : word) prefixes.push_back(hash = hash_step(hash, c));
      seen.clear();
      const bool any = term_prefixes_.contains(prefixes[shortest - 1]);
      for (std::size_t length = word.size(); any && length >= shortest; --length) {
        const auto found = term_prefixes_.find(prefixes[length - 1]);
        if (found == term_prefixes_.end()) continue;
        for (TermId term : found->second) {
          if (std::find(seen.begin(), seen.end(), term) != seen.end()) continue;
          seen.push_back(term);
          const double longer = static_cast<double>(std::max(word.size(), terms_[term].size()));
          if (static_cast<double>(length) >= kMinStemShare * longer) hit(term, kStemQuality);
        }
      }
    }
    // Typos: only in words that no phrase or text of any language has.
    if (word.size() + 1 < kMinTypo || features_.contains(match_text::word_feature(word))) continue;
    std::uint64_t whole = kFnvOffset;
    for (char32_t c : word) whole = hash_step(whole, c);
    if (const auto missing = one_deletion_.find(whole); missing != one_deletion_.end()) {
      for (TermId term : missing->second) hit(term, kTypoQuality);  // one letter missing
    }
    if (word.size() < kMinTypo) continue;
    for (std::uint64_t shorter : one_deletions(word)) {
      if (const auto wrong = one_deletion_.find(shorter); wrong != one_deletion_.end()) {
        for (TermId term : wrong->second) {
          if (terms_[term].size() == word.size()) hit(term, kTypoQuality);  // one wrong
        }
      }
      if (const auto extra = term_prefixes_.find(shorter); extra != term_prefixes_.end()) {
        for (TermId term : extra->second) {
          if (terms_[term].size() + 1 == word.size()) hit(term, kTypoQuality);  // one too many
        }
      }
    }
  }
  if (!han_text.empty()) {
    for (TermId term : han_terms_) {
      if (han_text.find(terms_[term]) != std::u32string::npos) hit(term, 1.0);
    }
  }
  // One entry per term, the best quality.
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : a.second > b.second;
  });
  hits.erase(std::unique(hits.begin(), hits.end(),
                         [](const auto& a, const auto& b) { return a.first == b.first; }),
             hits.end());
  return hits;
}

double IntentIndex::quality_of(const TermHits& hits, TermId term) {
  const auto found = std::lower_bound(hits.begin(), hits.end(), term,
                                      [](const auto& hit, TermId id) { return hit.first < id; });
  return found != hits.end() && found->first == term ? found->second : 0.0;
}

double IntentIndex::entry_quality(const std::vector<TermId>& terms, const TermHits& hits) {
  double quality = 1.0;
  for (TermId term : terms) quality = std::min(quality, quality_of(hits, term));
  return quality;
}

bool IntentIndex::is_common(std::size_t language, const Token& token) const {
  if (token.han ? token.text.size() == 1 : token.text.size() <= 2) return true;
  if (language >= common_words_.size()) return false;
  return common_words_[language].contains(match_text::word_feature(token.text));
}

std::vector<double> IntentIndex::explained_words(const std::vector<Token>& tokens,
                                                 std::size_t language) const {
  std::vector<double> explained(node_count_ + 1, 0.0);  // the last: how many telling words
  std::vector<double> word(node_count_);
  std::vector<Feature> grams;
  for (const Token& token : tokens) {
    if (is_common(language, token)) continue;
    explained[node_count_] += 1;
    grams.clear();
    match_text::add_features(std::span(&token, 1), grams);  // the word, then its trigrams
    std::fill(word.begin(), word.end(), 0.0);
    for (std::size_t g = 1; g < grams.size(); ++g) {
      const auto info = features_.find(grams[g]);
      if (info == features_.end()) continue;
      for (std::uint32_t i = info->second.nodes_begin; i < info->second.nodes_end; ++i) {
        word[feature_nodes_[i]] += 1.0 / static_cast<double>(grams.size() - 1);
      }
    }
    // The word itself in a node's phrases or texts, or among its keywords: all of it.
    if (const auto info = features_.find(grams.front()); info != features_.end()) {
      for (std::uint32_t i = info->second.nodes_begin; i < info->second.nodes_end; ++i) {
        word[feature_nodes_[i]] = 1.0;
      }
    }
    if (const auto term = term_ids_.find(token.text); term != term_ids_.end()) {
      if (const auto entries = keywords_of_term_.find(term->second);
          entries != keywords_of_term_.end()) {
        for (std::uint32_t k : entries->second) {
          for (std::size_t node : keywords_[k].nodes) word[node] = 1.0;
        }
      }
    }
    for (std::size_t n = 0; n < node_count_; ++n) explained[n] += std::min(word[n], 1.0);
  }
  return explained;
}

std::vector<NodeScore> IntentIndex::rank(const std::vector<Token>& tokens,
                                         const std::vector<Feature>& features, std::size_t language,
                                         const TermHits& hits) const {
  auto info_of = [this](Feature feature) -> const FeatureInfo* {
    const auto found = features_.find(feature);
    return found == features_.end() ? nullptr : &found->second;
  };
  double norm = 0;
  std::vector<std::pair<const FeatureInfo*, double>> query;
  for (const auto& [feature, frequency] : term_frequencies(features)) {
    const FeatureInfo* info = info_of(feature);
    const double weight = frequency * (info == nullptr ? unknown_idf_ : info->idf);
    norm += weight * weight;
    if (info != nullptr && info->postings_end > info->postings_begin) {
      query.emplace_back(info, weight);
    }
  }
  std::vector<float> similarity(document_node_.size(), 0.0F);
  if (norm > 0) {
    const double scale = 1 / std::sqrt(norm);
    for (const auto& [info, weight] : query) {
      const auto query_weight = static_cast<float>(weight * scale);
      for (std::uint32_t p = info->postings_begin; p < info->postings_end; ++p) {
        const Posting& posting = postings_[p];
        similarity[posting.document] += query_weight * posting.weight;
      }
    }
  }

  // Per node: its best and second-best phrase, and its best answer text; a document of
  // another language than the message's counts less.
  const auto other = static_cast<float>(weights_.other_language);
  auto weighed = [&](std::uint32_t d) {
    return similarity[d] * (document_language_[d] == language ? 1.0F : other);
  };
  std::vector<double> scores(node_count_, 0.0);
  for (std::size_t n = 0; n < node_count_; ++n) {
    float first = 0;
    float second = 0;
    for (std::uint32_t d = phrase_runs_[n]; d < phrase_runs_[n + 1]; ++d) {
      const float score = weighed(d);
      second = std::max(second, std::min(first, score));
      first = std::max(first, score);
    }
    float text = 0;
    for (std::uint32_t d = text_runs_[n]; d < text_runs_[n + 1]; ++d) {
      text = std::max(text, weighed(d));
    }
    scores[n] = first + weights_.second_phrase * second + weights_.text * text;
  }

  if (!hits.empty()) {
    std::vector<double> bonus(node_count_, 0.0);
    std::vector<std::uint32_t> entries;
    for (const auto& [term, quality] : hits) {
      if (const auto found = keywords_of_term_.find(term); found != keywords_of_term_.end()) {
        entries.insert(entries.end(), found->second.begin(), found->second.end());
      }
    }
    std::sort(entries.begin(), entries.end());
    entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
    for (std::uint32_t k : entries) {
      const KeywordEntry& entry = keywords_[k];
      const double quality = entry_quality(entry.terms, hits);
      if (quality <= 0) continue;
      const double share = weights_.keyword * quality / static_cast<double>(entry.nodes.size());
      for (std::size_t node : entry.nodes) bonus[node] += share;
    }
    for (std::size_t n = 0; n < node_count_; ++n) {
      scores[n] += std::min(bonus[n], weights_.keyword_cap);
    }
  }

  std::vector<NodeScore> ranked;
  for (std::size_t n = 0; n < node_count_; ++n) {
    if (scores[n] > 0) ranked.push_back(NodeScore{n, scores[n]});
  }
  auto by_score = [](const NodeScore& a, const NodeScore& b) {
    return a.score != b.score ? a.score > b.score : a.node < b.node;
  };
  std::sort(ranked.begin(), ranked.end(), by_score);
  // The leaders, by the share of the message's telling words they explain.
  const std::vector<double> explained = explained_words(tokens, language);
  const double telling = explained[node_count_];
  const std::size_t leaders = std::min(ranked.size(), kCoverageLeaders);
  for (std::size_t i = 0; i < leaders; ++i) {
    const double share = telling == 0 ? 1.0 : explained[ranked[i].node] / telling;
    ranked[i].score *= weights_.coverage_floor + (1 - weights_.coverage_floor) * share;
  }
  std::sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(leaders), by_score);
  return ranked;
}

bool IntentIndex::has_telling_words(const std::vector<Token>& tokens, std::size_t language) const {
  return std::any_of(tokens.begin(), tokens.end(),
                     [&](const Token& token) { return !is_common(language, token); });
}

std::size_t IntentIndex::telling_words(const std::vector<Token>& tokens,
                                       std::size_t language) const {
  return static_cast<std::size_t>(
      std::count_if(tokens.begin(), tokens.end(),
                    [&](const Token& token) { return !is_common(language, token); }));
}

bool IntentIndex::has_keyword_of(std::size_t node, const TermHits& hits) const {
  for (const auto& [term, quality] : hits) {
    const auto found = keywords_of_term_.find(term);
    if (found == keywords_of_term_.end()) continue;
    for (std::uint32_t k : found->second) {
      const KeywordEntry& entry = keywords_[k];
      if (std::find(entry.nodes.begin(), entry.nodes.end(), node) != entry.nodes.end() &&
          entry_quality(entry.terms, hits) > 0) {
        return true;
      }
    }
  }
  return false;
}

bool IntentIndex::strip_greetings(std::vector<Token>& tokens) const {
  const std::size_t before = tokens.size();
  std::erase_if(tokens, [this](const Token& token) {
    for (const auto& [term, quality] : matched_terms(std::vector<Token>{token})) {
      if (greeting_terms_.contains(term) && (quality >= 1.0 || token.text.size() >= kMinStem)) {
        return true;
      }
    }
    return false;
  });
  return tokens.size() != before;
}

std::size_t IntentIndex::leading_greetings(const std::vector<Token>& tokens) const {
  // Each word's term once (greeting words are terms; others never match).
  constexpr TermId kNoTerm = ~TermId{0};
  std::vector<TermId> words;
  words.reserve(tokens.size());
  for (const Token& token : tokens) {
    const auto term = term_ids_.find(token.text);
    words.push_back(term != term_ids_.end() && greeting_terms_.contains(term->second) ? term->second
                                                                                      : kNoTerm);
  }
  std::size_t at = 0;
  for (bool found = true; found && at < words.size() && words[at] != kNoTerm;) {
    found = false;
    for (const std::vector<TermId>& phrase : greeting_phrases_) {  // longest first
      if (phrase.size() > words.size() - at ||
          !std::equal(phrase.begin(), phrase.end(),
                      words.begin() + static_cast<std::ptrdiff_t>(at))) {
        continue;
      }
      at += phrase.size();
      found = true;
      break;
    }
  }
  return at;
}

bool IntentIndex::is_safety(const std::vector<Token>& tokens, const TermHits& hits) const {
  if (hits.empty()) return false;
  for (const auto& [term, quality] : hits) {
    const auto phrases = safety_phrases_of_term_.find(term);
    if (phrases == safety_phrases_of_term_.end()) continue;
    for (std::uint32_t p : phrases->second) {
      if (entry_quality(safety_phrases_[p], hits) > 0) return true;
    }
  }
  if (tokens.size() > kShortMessageWords ||
      std::none_of(safety_words_.begin(), safety_words_.end(),
                   [&hits](TermId word) { return quality_of(hits, word) > 0; })) {
    return false;
  }
  // "help" or "help me" alone, not "legal help" or "ayuda alquiler": a keyword of another
  // node in the other words says what the help is about.
  auto is_safety_word = [this](TermId term) {
    return std::find(safety_words_.begin(), safety_words_.end(), term) != safety_words_.end();
  };
  std::vector<Token> others;
  for (const Token& token : tokens) {
    const TermHits own = matched_terms(std::vector<Token>{token});
    if (std::none_of(own.begin(), own.end(),
                     [&](const auto& hit) { return is_safety_word(hit.first); })) {
      others.push_back(token);
    }
  }
  const TermHits other_hits = matched_terms(others);
  for (const auto& [term, quality] : other_hits) {
    const auto found = keywords_of_term_.find(term);
    if (found == keywords_of_term_.end()) continue;
    for (std::uint32_t k : found->second) {
      const KeywordEntry& entry = keywords_[k];
      const bool of_safety =
          std::find(entry.nodes.begin(), entry.nodes.end(), safety_node_) != entry.nodes.end();
      if (!of_safety && entry_quality(entry.terms, other_hits) > 0) return false;
    }
  }
  return true;
}

}  // namespace buurtlijn::dialogs::intent_index
