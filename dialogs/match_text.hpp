// Internal to dialogs/: the one normal form free text is compared in, and the features
// (words and character n-grams, hashed) that language detection and intent matching
// count. Built once per Content from ICU data: NFKC case folding, per-letter tables made
// with ICU's Latin-ASCII and the BGN/PCGN Bulgarian- and Ukrainian-Latin transliterators
// (so "înregistrare" meets "inregistrare" and "як отримати" meets "yak otrymaty"),
// Arabic letter variants unified, and ICU word breaking for Chinese.
//
// Thread-safe: a TextFolder is immutable after construction; fold() clones the word
// break iterator it needs, so many threads may fold at once.
#pragma once

#include <unicode/brkiter.h>
#include <unicode/unistr.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace buurtlijn::dialogs::match_text {

// How Cyrillic letters are read: as Bulgarian (и -> i, г -> g, щ -> sht) or Ukrainian
// (и -> y, г -> h, щ -> shch) would romanise them, or kept in Cyrillic (for telling
// the two languages apart on the letters they were written with).
enum class Cyrillic { bulgarian, ukrainian, keep };

struct Token {
  std::u32string text;  // folded; Latin letters ASCII where a reading exists
  bool han = false;     // a word of Chinese characters (scored by characters, not trigrams)
};

// Letters per script in the raw text, before folding: what the script rules read.
struct ScriptCounts {
  int latin = 0;
  int cyrillic = 0;
  int arabic = 0;
  int devanagari = 0;
  int ethiopic = 0;
  int han = 0;  // also kana: Chinese is the only language of the 16 in these scripts
  int other = 0;
  // Letters that tell one language of a script from the other.
  int persian_letters = 0;    // پ چ ژ گ ی ک
  int arabic_letters = 0;     // ة ي ى ك
  int ukrainian_letters = 0;  // і ї є ґ
  int bulgarian_letters = 0;  // ъ ѝ
  int letters() const { return latin + cyrillic + arabic + devanagari + ethiopic + han + other; }
};

ScriptCounts count_scripts(std::string_view utf8);

// A catalog text folded once, for every model that learns from it.
struct FoldedText {
  std::size_t language = 0;   // index into the content's languages
  ScriptCounts scripts;       // of the raw text
  std::vector<Token> tokens;  // folded with the language's own Cyrillic reading
  std::vector<Token> kept;    // folded with Cyrillic kept; empty when it has no Cyrillic
};

using Feature = std::uint64_t;  // a hashed word or n-gram

// Features of a token list: per word a word feature and its character trigrams with
// word boundaries ("^re", "reg", ..., "am$"); per Chinese word the word, its characters
// and character pairs. Appended to `out` (duplicates kept: they are term counts).
void add_features(std::span<const Token> tokens, std::vector<Feature>& out);

// The feature of one whole word (for keyword look-ups).
Feature word_feature(std::u32string_view word);

class TextFolder {
 public:
  TextFolder();  // builds the tables from ICU; never throws, degrades to no table
  TextFolder(const TextFolder&) = delete;
  TextFolder& operator=(const TextFolder&) = delete;

  // Splits `utf8` (valid UTF-8) into folded tokens: letters and digits; everything else
  // separates. Cyrillic is romanised the `cyrillic` way.
  std::vector<Token> fold(std::string_view utf8, Cyrillic cyrillic) const;

  // The folded text with its tokens joined by single spaces (for whole-phrase
  // comparisons and tests): "Înregistrare, vă rog!" -> "inregistrare va rog".
  std::string folded_string(std::string_view utf8, Cyrillic cyrillic) const;

 private:
  void append_letter(UChar32 c, Cyrillic cyrillic, std::u32string& word) const;
  void split_han(const icu::UnicodeString& run, std::vector<Token>& out) const;

  std::unordered_map<UChar32, std::u32string> latin_ascii_;  // "ł" -> "l", "ß" -> "ss"
  std::array<std::unordered_map<UChar32, std::u32string>, 2> cyrillic_;  // by Cyrillic
  std::unique_ptr<const icu::BreakIterator> han_words_;                  // cloned per use
};

std::string to_utf8(std::u32string_view text);

// "pt-BR", "zh_Hans" -> "pt", "zh": the language of a BCP 47 tag, lower case.
std::string primary_subtag(std::string_view tag);
// Without surrounding spaces and tabs.
std::string_view trim(std::string_view text);

}  // namespace buurtlijn::dialogs::match_text
