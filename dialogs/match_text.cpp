// Folding free text into tokens and features (see match_text.hpp). The tables are made
// once from ICU transliterators, letter by letter, so that folding a message is table
// look-ups only. Thread-safe: everything is immutable after the constructor.
#include "dialogs/match_text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>

#include "dialogs/icu_message.hpp"

namespace buurtlijn::dialogs::match_text {
namespace {

// Letters the tables cover: Latin-1 Supplement to Latin Extended-B, Latin Extended
// Additional, and Cyrillic.
constexpr std::pair<UChar32, UChar32> kLatinRanges[] = {{0x00C0, 0x024F}, {0x1E00, 0x1EFF}};
constexpr std::pair<UChar32, UChar32> kCyrillicRange = {0x0400, 0x04FF};

std::unique_ptr<icu::Transliterator> make_transliterator(const char* id) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error;
  std::unique_ptr<icu::Transliterator> transliterator(icu::Transliterator::createInstance(
      icu::UnicodeString::fromUTF8(id), UTRANS_FORWARD, parse_error, status));
  if (U_FAILURE(status)) return nullptr;
  return transliterator;
}

// The ASCII letters and digits of `text`, lower-cased.
std::u32string ascii_letters(const icu::UnicodeString& text) {
  std::u32string out;
  for (int32_t i = 0; i < text.length(); ++i) {
    const char16_t c = text.charAt(i);
    if (c >= 'A' && c <= 'Z') {
      out += static_cast<char32_t>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += static_cast<char32_t>(c);
    }
  }
  return out;
}

// A table of what `transliterator` makes of each letter in [first, last] on its own,
// for the letters it turns into ASCII.
void fill_table(const icu::Transliterator* transliterator, UChar32 first, UChar32 last,
                std::unordered_map<UChar32, std::u32string>& table) {
  if (transliterator == nullptr) return;
  for (UChar32 c = first; c <= last; ++c) {
    if (!u_isalpha(c)) continue;
    const UChar32 lower = u_tolower(c);
    icu::UnicodeString text(lower);
    transliterator->transliterate(text);
    // Taken when nothing but ASCII is left (a soft sign may become nothing at all).
    bool ascii_only = true;
    for (int32_t i = 0; i < text.length(); ++i) {
      if (text.charAt(i) >= 0x80 && u_isalpha(text.charAt(i))) ascii_only = false;
    }
    if (ascii_only) table.emplace(lower, ascii_letters(text));
  }
}

bool is_han_script(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(c, &status);
  return script == USCRIPT_HAN || script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA;
}

bool is_arabic_vowel_mark(UChar32 c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640;  // harakat, tatweel
}

// Arabic letters that are written several ways read as one: Persian and Arabic yeh and
// kaf, the hamza forms of alef, teh marbuta as heh.
UChar32 unify_arabic(UChar32 c) {
  switch (c) {
    case 0x064A:  // ي ARABIC YEH
    case 0x0649:  // ى ALEF MAKSURA
    case 0x0626:  // ئ YEH WITH HAMZA
      return 0x06CC;
    case 0x0643:  // ك ARABIC KAF
      return 0x06A9;
    case 0x0623:  // أ
    case 0x0625:  // إ
    case 0x0622:  // آ
    case 0x0671:  // ٱ
      return 0x0627;
    case 0x0629:  // ة TEH MARBUTA
      return 0x0647;
    case 0x0624:  // ؤ
      return 0x0648;
    default:
      return c;
  }
}

constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

std::uint64_t mix(std::uint64_t hash, char32_t c) {
  for (int shift = 0; shift < 32; shift += 8) {
    hash ^= (static_cast<std::uint64_t>(c) >> shift) & 0xFF;
    hash *= kFnvPrime;
  }
  return hash;
}

Feature hash_of(char tag, std::u32string_view text) {
  std::uint64_t hash = mix(kFnvOffset, static_cast<char32_t>(tag));
  for (char32_t c : text) hash = mix(hash, c);
  return hash;
}

}  // namespace

ScriptCounts count_scripts(std::string_view utf8) {
  ScriptCounts counts;
  const icu::UnicodeString text = icu_message::to_unicode(utf8);
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
    const UChar32 c = text.char32At(i);
    if (!u_isalpha(c)) continue;
    UErrorCode status = U_ZERO_ERROR;
    switch (uscript_getScript(c, &status)) {
      case USCRIPT_LATIN:
        ++counts.latin;
        break;
      case USCRIPT_CYRILLIC:
        ++counts.cyrillic;
        break;
      case USCRIPT_ARABIC:
        ++counts.arabic;
        break;
      case USCRIPT_DEVANAGARI:
        ++counts.devanagari;
        break;
      case USCRIPT_ETHIOPIC:
        ++counts.ethiopic;
        break;
      case USCRIPT_HAN:
      case USCRIPT_HIRAGANA:
      case USCRIPT_KATAKANA:
        ++counts.han;
        break;
      default:
        ++counts.other;
        break;
    }
    switch (c) {
      case 0x067E:  // پ
      case 0x0686:  // چ
      case 0x0698:  // ژ
      case 0x06AF:  // گ
      case 0x06CC:  // ی FARSI YEH
      case 0x06A9:  // ک KEHEH
        ++counts.persian_letters;
        break;
      case 0x0629:  // ة
      case 0x064A:  // ي
      case 0x0649:  // ى
      case 0x0643:  // ك
        ++counts.arabic_letters;
        break;
      case 0x0456:  // і
      case 0x0457:  // ї
      case 0x0454:  // є
      case 0x0491:  // ґ
      case 0x0406:  // І
      case 0x0407:  // Ї
      case 0x0404:  // Є
      case 0x0490:  // Ґ
        ++counts.ukrainian_letters;
        break;
      case 0x044A:  // ъ
      case 0x042A:  // Ъ
      case 0x045D:  // ѝ
        ++counts.bulgarian_letters;
        break;
      default:
        break;
    }
  }
  return counts;
}

Feature word_feature(std::u32string_view word) {
  return hash_of('W', word);
}

void add_features(std::span<const Token> tokens, std::vector<Feature>& out) {
  std::u32string padded;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    const Token& token = tokens[t];
    out.push_back(word_feature(token.text));
    if (token.han) {
      for (std::size_t i = 0; i < token.text.size(); ++i) {
        out.push_back(hash_of('U', std::u32string_view(token.text).substr(i, 1)));
        if (i + 1 < token.text.size()) {
          out.push_back(hash_of('B', std::u32string_view(token.text).substr(i, 2)));
        }
      }
      // The pair across two words of one run of characters.
      if (t + 1 < tokens.size() && tokens[t + 1].han && !token.text.empty() &&
          !tokens[t + 1].text.empty()) {
        const char32_t pair[] = {token.text.back(), tokens[t + 1].text.front()};
        out.push_back(hash_of('B', std::u32string_view(pair, 2)));
      }
      continue;
    }
    padded.clear();
    padded += U'^';
    padded += token.text;
    padded += U'$';
    for (std::size_t i = 0; i + 3 <= padded.size(); ++i) {
      out.push_back(hash_of('G', std::u32string_view(padded).substr(i, 3)));
    }
  }
}

TextFolder::TextFolder() {
  const auto latin = make_transliterator("Latin-ASCII");
  for (const auto& [first, last] : kLatinRanges) fill_table(latin.get(), first, last, latin_ascii_);
  const auto bulgarian = make_transliterator("Bulgarian-Latin/BGN; Latin-ASCII");
  const auto ukrainian = make_transliterator("Ukrainian-Latin/BGN; Latin-ASCII");
  fill_table(bulgarian.get(), kCyrillicRange.first, kCyrillicRange.second,
             cyrillic_[static_cast<std::size_t>(Cyrillic::bulgarian)]);
  fill_table(ukrainian.get(), kCyrillicRange.first, kCyrillicRange.second,
             cyrillic_[static_cast<std::size_t>(Cyrillic::ukrainian)]);
  // Letters outside a language's table read as the other one has them (ъ in Ukrainian,
  // і in Bulgarian), then as Russian would romanise them (ы, э, ё).
  std::unordered_map<UChar32, std::u32string> russian;
  fill_table(make_transliterator("Russian-Latin/BGN; Latin-ASCII").get(), kCyrillicRange.first,
             kCyrillicRange.second, russian);
  for (std::size_t i = 0; i < cyrillic_.size(); ++i) {
    for (const auto& [letter, reading] : cyrillic_[1 - i]) cyrillic_[i].emplace(letter, reading);
    for (const auto& [letter, reading] : russian) cyrillic_[i].emplace(letter, reading);
  }
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> words(
      icu::BreakIterator::createWordInstance(icu::Locale::getChinese(), status));
  if (U_SUCCESS(status)) han_words_ = std::move(words);
}

void TextFolder::append_letter(UChar32 c, Cyrillic cyrillic, std::u32string& word) const {
  if (c < 0x80) {
    word += static_cast<char32_t>(c);
    return;
  }
  const bool is_cyrillic = c >= kCyrillicRange.first && c <= kCyrillicRange.second;
  if (is_cyrillic && cyrillic == Cyrillic::keep) {
    word += static_cast<char32_t>(c);
    return;
  }
  const auto& table = is_cyrillic ? cyrillic_[static_cast<std::size_t>(cyrillic)] : latin_ascii_;
  if (const auto found = table.find(c); found != table.end()) {
    word += found->second;
    return;
  }
  const int32_t digit = u_charDigitValue(c);
  if (digit >= 0 && digit <= 9) {
    word += static_cast<char32_t>(U'0' + digit);
    return;
  }
  word += static_cast<char32_t>(unify_arabic(c));
}

void TextFolder::split_han(const icu::UnicodeString& run, std::vector<Token>& out) const {
  auto add = [&out](const icu::UnicodeString& word) {
    Token token;
    token.han = true;
    for (int32_t i = 0; i < word.length(); i = word.moveIndex32(i, 1)) {
      token.text += static_cast<char32_t>(word.char32At(i));
    }
    if (!token.text.empty()) out.push_back(std::move(token));
  };
  if (!han_words_) {
    add(run);
    return;
  }
  std::unique_ptr<icu::BreakIterator> words(han_words_->clone());
  words->setText(run);
  int32_t start = words->first();
  for (int32_t end = words->next(); end != icu::BreakIterator::DONE;
       start = end, end = words->next()) {
    add(run.tempSubStringBetween(start, end));
  }
}

std::vector<Token> TextFolder::fold(std::string_view utf8, Cyrillic cyrillic) const {
  std::vector<Token> tokens;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  icu::UnicodeString text = icu_message::to_unicode(utf8);
  if (U_SUCCESS(status) && nfkc_casefold != nullptr) {
    icu::UnicodeString folded = nfkc_casefold->normalize(text, status);
    if (U_SUCCESS(status)) text = std::move(folded);
  }

  std::u32string word;
  icu::UnicodeString han_run;
  auto end_word = [&] {
    if (!word.empty()) tokens.push_back(Token{std::move(word), false});
    word.clear();
  };
  auto end_han = [&] {
    if (!han_run.isEmpty()) split_han(han_run, tokens);
    han_run.remove();
  };
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
    const UChar32 c = text.char32At(i);
    if (is_han_script(c)) {
      end_word();
      han_run += c;
      continue;
    }
    end_han();
    const auto type = static_cast<UCharCategory>(u_charType(c));
    if (type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK) {
      // A mark on a letter that is ASCII by now (Latin, romanised Cyrillic) or an
      // Arabic vowel sign is dropped; Devanagari vowel signs are part of the word.
      if (is_arabic_vowel_mark(c) || word.empty() || word.back() < 0x80) continue;
      word += static_cast<char32_t>(c);
    } else if (is_arabic_vowel_mark(c)) {
      continue;
    } else if (u_isalnum(c) || type == U_COMBINING_SPACING_MARK) {
      append_letter(c, cyrillic, word);
    } else {
      end_word();
    }
  }
  end_word();
  end_han();
  return tokens;
}

std::string TextFolder::folded_string(std::string_view utf8, Cyrillic cyrillic) const {
  std::string out;
  for (const Token& token : fold(utf8, cyrillic)) {
    if (!out.empty()) out += ' ';
    out += to_utf8(token.text);
  }
  return out;
}

std::string to_utf8(std::u32string_view text) {
  icu::UnicodeString unicode;
  for (char32_t c : text) unicode += static_cast<UChar32>(c);
  return icu_message::to_utf8(unicode);
}

std::string primary_subtag(std::string_view tag) {
  std::string code;
  for (char c : tag) {
    if (c == '-' || c == '_') break;
    code += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return code;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

}  // namespace buurtlijn::dialogs::match_text
