// The console's own words: both catalogs complete, every pattern compiles, plurals work.
#include "admin/ui_text.hpp"

#include <doctest/doctest.h>

#include "cases/workflow.hpp"

namespace buurtlijn::admin {
namespace {

TEST_CASE("admin: locales/admin has Dutch and English with the same keys") {
  const UiText& text = UiText::embedded();  // throws when a key is missing or broken
  CHECK(text.has_language("nl"));
  CHECK(text.has_language("en"));
  CHECK(text.get("nl", "login.title") == "Inloggen");
  CHECK(text.get("en", "login.title") == "Log in");
  CHECK(text.get("ro", "login.title") == "Inloggen");  // not a console language: Dutch
  CHECK(text.get("en", "no.such.key") == "no.such.key");
  CHECK(text.get("nl", "login.throttled", {{"minutes", std::int64_t{1}}}).find("1 minuut") !=
        std::string::npos);
  CHECK(text.get("en", "login.throttled", {{"minutes", std::int64_t{15}}}).find("15 minutes") !=
        std::string::npos);
}

TEST_CASE("admin: every workflow refusal and every case state has a text, never its code") {
  const UiText& text = UiText::embedded();
  for (const std::string_view code : cases::refusal_codes()) {
    for (const char* language : {"nl", "en"}) {
      const std::string key = "refusal." + std::string(code);
      const std::string shown = text.get(language, key,
                                         {{"from", std::string("A")},
                                          {"to", std::string("B")},
                                          {"allowed", std::string("C")},
                                          {"finding", std::string("D")},
                                          {"got", std::string("E")},
                                          {"count", std::int64_t{1}}});
      CAPTURE(key);
      CHECK(shown != key);
      if (code.find('_') != std::string_view::npos) CHECK(shown.find(code) == std::string::npos);
    }
  }
  for (int i = 0; i <= static_cast<int>(cases::CaseState::closed); ++i) {
    const std::string key =
        "case_state." + std::string(cases::to_string(static_cast<cases::CaseState>(i)));
    CHECK_MESSAGE(text.get("nl", key) != key, key);
    CHECK_MESSAGE(text.get("en", key) != key, key);
  }
  CHECK(text.get("nl", "dashboard.map.tooltip",
                 {{"name", std::string("Voorstad")}, {"count", std::int64_t{3}}}) ==
        "Voorstad: 3 meldingen");
  CHECK(text.get("en", "dashboard.map.unknown", {{"count", std::int64_t{1}}})
            .find("1 report without") == 0);
}

TEST_CASE("admin: a catalog that lacks a key or does not compile is refused") {
  auto missing = UiText::parse({{"nl.yaml", "a: \"x\"\nb: \"y\"\n"}, {"en.yaml", "a: \"x\"\n"}});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().find("en.yaml: b: missing") != std::string::npos);
  auto broken = UiText::parse({{"nl.yaml", "a: \"{x\"\n"}});
  REQUIRE_FALSE(broken);
  CHECK(broken.error().find("does not compile") != std::string::npos);
}

}  // namespace
}  // namespace buurtlijn::admin
