// Unit tests of dialogs/match_text (internal): the normal form free text is matched in —
// case and width folded, Latin diacritics and Cyrillic read the BGN way, Arabic letter
// variants unified, digits of any script, Chinese split into words — and the script
// counts the language rules read.
#include "dialogs/match_text.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace buurtlijn::dialogs::match_text {
namespace {

const TextFolder& folder() {
  static const TextFolder instance;
  return instance;
}

std::string folded(std::string_view text, Cyrillic cyrillic = Cyrillic::bulgarian) {
  return folder().folded_string(text, cyrillic);
}

TEST_CASE("Latin text loses case, width, diacritics and punctuation") {
  CHECK(folded("Înregistrare, vă rog!") == "inregistrare va rog");
  CHECK(folded("ÎNREGISTRARE") == "inregistrare");
  CHECK(folded("Łódź Straße") == "lodz strasse");
  CHECK(folded("Zażółć gęślą jaźń") == "zazolc gesla jazn");
  CHECK(folded("ＢＳＮ？") == "bsn");
  CHECK(folded("l'adresse") == "l adresse");
  CHECK(folded("  \t ") == "");
  CHECK(folded("") == "");
}

TEST_CASE("Cyrillic reads as Bulgarian or Ukrainian would romanise it, or stays Cyrillic") {
  CHECK(folded("Как да се регистрирам?", Cyrillic::bulgarian) == "kak da se registriram");
  CHECK(folded("Як отримати номер", Cyrillic::ukrainian) == "yak otrymaty nomer");
  CHECK(folded("щастя", Cyrillic::ukrainian) == "shchastya");
  CHECK(folded("щастие", Cyrillic::bulgarian) == "shtastie");
  CHECK(folded("Їжак", Cyrillic::bulgarian) == folded("Їжак", Cyrillic::ukrainian));
  CHECK(folded("Здравейте", Cyrillic::keep) == "здравейте");
  // Typed in Latin letters, the same words meet.
  CHECK(folded("kak da se registriram") == folded("как да се регистрирам"));
}

TEST_CASE("Arabic and Persian letters are unified, vowel signs dropped, digits read") {
  CHECK(folded("فارسي") == folded("فارسی"));
  CHECK(folded("كيف") == folded("کیف"));
  CHECK(folded("مَدْرَسَة") == folded("مدرسه"));
  CHECK(folded("١٢٣ ۴۵") == "123 45");
  CHECK(folded("मदद") == "मदद");  // Devanagari keeps its vowel signs
}

TEST_CASE("Chinese is split into words by ICU; other scripts by spaces and punctuation") {
  const auto tokens = folder().fold("我想在市政府登记", Cyrillic::bulgarian);
  REQUIRE(tokens.size() >= 3);
  CHECK(std::all_of(tokens.begin(), tokens.end(), [](const Token& token) { return token.han; }));
  CHECK(std::any_of(tokens.begin(), tokens.end(),
                    [](const Token& token) { return to_utf8(token.text) == "市政府"; }));
  const auto mixed = folder().fold("brp相关问题", Cyrillic::bulgarian);
  REQUIRE(mixed.size() >= 2);
  CHECK(to_utf8(mixed.front().text) == "brp");
  CHECK_FALSE(mixed.front().han);
  CHECK(mixed[1].han);
}

TEST_CASE("features: a word and its trigrams; Chinese characters and pairs") {
  std::vector<Feature> features;
  add_features(folder().fold("ab", Cyrillic::bulgarian), features);
  CHECK(features.size() == 3);  // the word, "^ab", "ab$"
  features.clear();
  add_features(folder().fold("登记", Cyrillic::bulgarian), features);
  CHECK(features.size() == 4);  // the word, two characters, one pair
  CHECK(features.front() == word_feature(U"登记"));
}

TEST_CASE("script counts and the letters that tell languages apart") {
  const ScriptCounts ukrainian = count_scripts("Їжак і є");
  CHECK(ukrainian.cyrillic == 6);
  CHECK(ukrainian.ukrainian_letters == 3);
  CHECK(ukrainian.bulgarian_letters == 0);
  CHECK(count_scripts("съм тук").bulgarian_letters == 1);
  const ScriptCounts persian = count_scripts("پاسپورت BSN");
  CHECK(persian.arabic == 7);
  CHECK(persian.latin == 3);
  CHECK(persian.persian_letters == 2);
  CHECK(count_scripts("مدرسة").arabic_letters == 1);
  CHECK(count_scripts("ምዝገባ").ethiopic == 4);
  CHECK(count_scripts("पंजीकरण").devanagari >= 4);
  CHECK(count_scripts("登记").han == 2);
  CHECK(count_scripts("123 !?").letters() == 0);
}

}  // namespace
}  // namespace buurtlijn::dialogs::match_text
