// The console's own words: both catalogs complete, every pattern compiles, plurals work.
#include "admin/ui_text.hpp"

#include <doctest/doctest.h>

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
