// Internal to dialogs/: ranks the dialog tree's nodes for a message, learnt from the
// catalogs in all languages:
//  - example phrases and labels as TF-IDF vectors over words and character trigrams; a
//    node scores the cosine of its best phrase plus a share of its second best, phrases
//    of another language than the message's counting less;
//  - answer texts, the same way, as a weaker second channel;
//  - keywords: a word of the message that is a node's keyword (the same word, the same
//    stem, or one typo away) adds a bonus, shared among the nodes with that keyword;
//  - coverage: the leading nodes are re-weighed by the share of the message's telling
//    words their phrases and texts explain.
// Greeting words are taken out before ranking ("hallo, waar kan ik me inschrijven" asks
// about the BRP); safety phrases are matched by their telling words.
//
// Built once per Content; immutable and thread-safe afterwards: every query keeps its
// work in locals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dialogs/match_text.hpp"

namespace buurtlijn::dialogs::intent_index {

enum class PhraseKind { example, label, text, keyword, greeting, safety };

struct Phrase {
  std::size_t node = 0;                          // index into the content's nodes
  const match_text::FoldedText* text = nullptr;  // needs to live only during construction
  PhraseKind kind = PhraseKind::example;
};

struct NodeScore {
  std::size_t node = 0;
  double score = 0;  // roughly 0..1
};

// Tuning of the ranking, found on tests/eval (see bench/README.md).
struct Weights {
  double other_language = 0.7;  // a phrase of another language than the message's counts so much
  double second_phrase = 0.6;   // weight of a node's second-best phrase
  double label = 1.0;           // weight of a label against an example phrase
  double text = 0.3;            // weight of the answer-text channel
  double keyword = 0.22;        // per keyword hit, shared among the nodes with that keyword
  double keyword_cap = 0.3;     // most a node gets from keywords
  double max_document_frequency = 0.05;  // features in more phrases than this share are skipped
  double coverage_floor = 0.7;  // a node explaining none of the message's words keeps this share
};

class IntentIndex {
 public:
  // `node_groups`: per node, the number of its topic (nodes past its end, such as the
  // off-topic node, count as every topic); telling words are judged by them.
  IntentIndex(std::size_t language_count, std::size_t node_count,
              const std::vector<Phrase>& phrases, const std::vector<std::uint32_t>& node_groups,
              Weights weights = {});

  using TermId = std::uint32_t;
  // The keyword, greeting and safety words a message's words match, with the quality of
  // the best match (1 the same word, less for the same stem or a typo); sorted by term.
  using TermHits = std::vector<std::pair<TermId, double>>;
  TermHits matched_terms(const std::vector<match_text::Token>& tokens) const;

  // Nodes with a positive score, best first. `language` is the message's language index
  // (its phrases count fully); `tokens` as folded with that language's reading,
  // `features` their add_features(), `hits` their matched_terms().
  std::vector<NodeScore> rank(const std::vector<match_text::Token>& tokens,
                              const std::vector<match_text::Feature>& features,
                              std::size_t language, const TermHits& hits) const;

  // Whether the message has a word that is neither short (one or two letters, one Chinese
  // character) nor one that many phrases of `language` use.
  bool has_telling_words(const std::vector<match_text::Token>& tokens, std::size_t language) const;
  std::size_t telling_words(const std::vector<match_text::Token>& tokens,
                            std::size_t language) const;

  // Whether `hits` hold all words of one of `node`'s keywords ("brp", "rent benefit").
  bool has_keyword_of(std::size_t node, const TermHits& hits) const;

  // Takes the greeting words ("hallo", "good morning", "你好") out of `tokens`; returns
  // whether there were any.
  bool strip_greetings(std::vector<match_text::Token>& tokens) const;

  // How many of the first tokens are greetings: whole greeting phrases, word for word,
  // one after the other ("hallo hallo", "hi, good morning"): "buenas tardes a todos" -> 2.
  std::size_t leading_greetings(const std::vector<match_text::Token>& tokens) const;

  // Whether the message holds a safety phrase: every telling word of a phrase with two or
  // more of them (words many phrases of the language use, and words of one or two
  // letters, do not count), or the telling word of a phrase with one ("help", "help me")
  // in a message of at most kShortMessageWords words with no keyword of another node
  // ("legal help" asks for tenant_help).
  bool is_safety(const std::vector<match_text::Token>& tokens, const TermHits& hits) const;

  static constexpr std::size_t kShortMessageWords = 3;

 private:
  struct KeywordEntry {
    std::vector<TermId> terms;
    std::vector<std::size_t> nodes;  // nodes it is a keyword of (the bonus is shared)
  };
  struct Posting {
    std::uint32_t document;
    float weight;
  };
  // What the index knows of a feature: its weight, the phrases that have it (postings)
  // and the nodes whose phrases or texts have it (for coverage).
  struct FeatureInfo {
    float idf = 0;  // 0: too common to tell nodes apart
    std::uint32_t postings_begin = 0;
    std::uint32_t postings_end = 0;
    std::uint32_t nodes_begin = 0;
    std::uint32_t nodes_end = 0;
  };

  TermId term_id(const std::u32string& term, bool han);
  static double quality_of(const TermHits& hits, TermId term);  // 0 when not matched
  static double entry_quality(const std::vector<TermId>& terms, const TermHits& hits);
  bool is_common(std::size_t language, const match_text::Token& token) const;
  // Per node, how many of the message's telling words its phrases and texts explain: a
  // word counts whole when they have it (or it is the node's keyword), else by the share
  // of its trigrams they have. The extra last entry is the number of telling words.
  std::vector<double> explained_words(const std::vector<match_text::Token>& tokens,
                                      std::size_t language) const;

  Weights weights_;
  std::size_t node_count_ = 0;
  // Phrases and texts as TF-IDF vectors, in postings per feature.
  std::unordered_map<match_text::Feature, FeatureInfo> features_;
  std::vector<Posting> postings_;
  std::vector<std::uint16_t> feature_nodes_;
  float unknown_idf_ = 0;  // for a feature no phrase has: part of what nothing explains
  // Documents in order of (kind, node): node n's phrases are [phrase_runs_[n],
  // phrase_runs_[n + 1]), its texts [text_runs_[n], text_runs_[n + 1]).
  std::vector<std::uint32_t> document_node_;
  std::vector<std::uint32_t> document_language_;
  std::vector<bool> document_is_text_;
  std::vector<std::uint32_t> phrase_runs_;
  std::vector<std::uint32_t> text_runs_;
  std::vector<std::unordered_set<match_text::Feature>> common_words_;  // per language
  // Words of keywords, greetings and safety phrases, and the look-ups that find them.
  std::vector<std::u32string> terms_;
  std::unordered_map<std::u32string, TermId> term_ids_;
  std::unordered_map<std::uint64_t, std::vector<TermId>> term_prefixes_;  // stems
  std::unordered_map<std::uint64_t, std::vector<TermId>> one_deletion_;   // typos
  std::vector<TermId> han_terms_;  // Chinese terms, matched as substrings
  std::vector<KeywordEntry> keywords_;
  std::unordered_map<TermId, std::vector<std::uint32_t>> keywords_of_term_;
  std::unordered_set<TermId> greeting_terms_;
  std::vector<std::vector<TermId>> greeting_phrases_;  // their words in order, longest first
  std::vector<std::vector<TermId>> safety_phrases_;    // their telling words
  std::unordered_map<TermId, std::vector<std::uint32_t>> safety_phrases_of_term_;
  std::vector<TermId> safety_words_;    // one-word safety phrases
  std::size_t safety_node_ = SIZE_MAX;  // the node the safety phrases answer with
};

}  // namespace buurtlijn::dialogs::intent_index
