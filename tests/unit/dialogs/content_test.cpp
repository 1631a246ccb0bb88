// Unit tests of dialogs/content: the real locales/ content is complete and clean in all
// 16 languages, MessageFormat plurals/numbers/dates per locale, the fallback order, and
// the validation of broken content (each problem named by file, node and language).
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <thread>

#include "tests/unit/dialogs/content_fixture.hpp"

namespace buurtlijn::dialogs {
namespace {

using testing::file_text;
using testing::Files;
using testing::has_problem;
using testing::locale_files;
using testing::real_content;
using testing::remove_node_field;
using testing::replace_in;

constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kExpectedLanguages = {{
    {"nl", "Nederlands"},
    {"en", "English"},
    {"bg", "Български"},
    {"ro", "Română"},
    {"uk", "Українська"},
    {"de", "Deutsch"},
    {"fr", "Français"},
    {"es", "Español"},
    {"it", "Italiano"},
    {"pt", "Português"},
    {"ar", "العربية"},
    {"pl", "Polski"},
    {"zh", "中文"},
    {"fa", "فارسی"},
    {"hi", "हिन्दी"},
    {"ti", "ትግርኛ"},
}};

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// Every text key of the content: ui strings, messages, node labels and texts.
std::vector<std::string> all_keys(const Content& content) {
  std::vector<std::string> keys;
  for (std::string_view name : kUiKeys) keys.push_back(ui_key(name));
  for (const std::string& id : content.messages()) keys.push_back(message_key(id));
  for (const Node& node : content.nodes()) {
    keys.push_back(node_label_key(node.id));
    keys.push_back(node_text_key(node.id));
  }
  return keys;
}

std::string render_or_fail(const Content& content, std::string_view key, std::string_view language,
                           const Arguments& arguments = {}) {
  auto text = content.render(key, language, {}, arguments);
  REQUIRE_MESSAGE(text.has_value(), (text ? "" : text.error().describe()));
  CHECK(text->language == language);
  CHECK_FALSE(text->fallback);
  return text->text;
}

// All rendered texts of one language, joined; without the list of language names,
// which shows every script.
std::string all_text(const Content& content, std::string_view language) {
  std::string joined;
  for (const std::string& key : all_keys(content)) {
    if (key == node_text_key("language")) continue;
    joined += render_or_fail(content, key, language) + "\n";
  }
  return joined;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

TEST_CASE("the real content parses with no problems and no missing translation") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (const ContentProblem& missing : content->missing_translations()) MESSAGE(missing.describe());
  CHECK(content->missing_translations().empty());
}

TEST_CASE("languages come in the picker's order with native names; ar and fa are right to left") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const auto& languages = content->languages();
  REQUIRE(languages.size() == kExpectedLanguages.size());
  for (std::size_t i = 0; i < languages.size(); ++i) {
    CAPTURE(i);
    CHECK(languages[i].code == kExpectedLanguages[i].first);
    CHECK(languages[i].native_name == kExpectedLanguages[i].second);
    CHECK(languages[i].right_to_left == (languages[i].code == "ar" || languages[i].code == "fa"));
    CHECK(content->has_language(languages[i].code));
  }
  CHECK_FALSE(content->has_language("xx"));
  CHECK_FALSE(content->has_language(""));
  CHECK(content->language("ro")->native_name == "Română");
  CHECK(content->language("he") == nullptr);
}

TEST_CASE("every language has every node, message and ui key of its own") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (const LanguageInfo& language : content->languages()) {
    CAPTURE(language.code);
    for (const std::string& key : all_keys(*content)) {
      CAPTURE(key);
      const auto pattern = content->lookup(key, language.code);
      REQUIRE(pattern.has_value());
      CHECK(pattern->language == language.code);
      CHECK_FALSE(pattern->fallback);
    }
    REQUIRE(language.ui.size() == std::size(kUiKeys));
    for (std::string_view name : kUiKeys) {
      CAPTURE(name);
      REQUIRE(language.ui.contains(name));
      CHECK_FALSE(language.ui.at(std::string(name)).empty());
    }
  }
}

TEST_CASE("the tree: a root menu with the seven topic entries") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const Node& root = content->root();
  CHECK(root.id == "root");
  CHECK(root.kind == NodeKind::menu);
  CHECK(root.children == std::vector<std::string>{"brp", "waste", "tenant", "report", "human",
                                                  "language", "privacy"});
  for (const std::string& id : root.children) {
    const Node* child = content->node(id);
    REQUIRE(child != nullptr);
    CHECK(child->parent == "root");
  }
  CHECK(content->node("human")->kind == NodeKind::handover);
  CHECK(content->node("brp")->topic == "brp");
  CHECK(content->node("nope") == nullptr);
}

TEST_CASE("texts are short and labels fit a WhatsApp button, counted in code points") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (const LanguageInfo& language : content->languages()) {
    CAPTURE(language.code);
    for (const std::string& key : all_keys(*content)) {
      CAPTURE(key);
      const std::string text = render_or_fail(*content, key, language.code);
      CHECK_FALSE(text.empty());
      CHECK(code_points(text) < 600);
      if (key.ends_with(".label")) CHECK(code_points(text) <= kMaxLabelChars);
    }
  }
  // 20 user-perceived characters but more than 20 bytes: accepted.
  const std::string french = render_or_fail(*content, node_label_key("report"), "fr");
  CHECK(code_points(french) == 20);
  CHECK(french.size() > 20);
}

TEST_CASE("each language is written in its own script and spelling") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::string ro = all_text(*content, "ro");
  CHECK(contains(ro, "ș"));        // U+0219, comma below
  CHECK(contains(ro, "ț"));        // U+021B
  CHECK_FALSE(contains(ro, "ş"));  // U+015F, cedilla
  CHECK_FALSE(contains(ro, "ţ"));  // U+0163
  const std::string pl = all_text(*content, "pl");
  for (std::string_view letter : {"ą", "ę", "ł", "ś", "ż"}) CHECK(contains(pl, letter));
  const std::string uk = all_text(*content, "uk");
  for (std::string_view letter : {"і", "ї", "є", "’"}) CHECK(contains(uk, letter));
  CHECK_FALSE(contains(uk, "ы"));
  const std::string bg = all_text(*content, "bg");
  CHECK(contains(bg, "ъ"));
  CHECK_FALSE(contains(bg, "і"));
  const std::string fa = all_text(*content, "fa");
  CHECK(contains(fa, "ی"));             // U+06CC FARSI YEH
  CHECK(contains(fa, "ک"));             // U+06A9 KEHEH
  CHECK(contains(fa, "\u200c"));        // zero-width non-joiner, as in می‌کنیم
  CHECK_FALSE(contains(fa, "\u064a"));  // ARABIC YEH
  CHECK_FALSE(contains(fa, "\u0643"));  // ARABIC KAF
  const std::string ar = all_text(*content, "ar");
  CHECK(contains(ar, "\u064a"));
  CHECK_FALSE(contains(ar, "\u06cc"));
  CHECK_FALSE(contains(ar, "\u06a9"));
  CHECK(contains(all_text(*content, "hi"), "नगरपालिका"));
  CHECK(contains(all_text(*content, "ti"), "ምምሕዳር ከተማ"));
  const std::string zh = all_text(*content, "zh");
  CHECK(contains(zh, "市政府"));
  CHECK_FALSE(contains(zh, "義"));  // traditional form of 义
}

TEST_CASE("Dutch desk terms stand beside the translation; shared numbers come from one place") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (const LanguageInfo& language : content->languages()) {
    CAPTURE(language.code);
    CHECK(contains(render_or_fail(*content, message_key("welcome"), language.code), "gemeente"));
    auto text = [&](std::string_view node) {
      return render_or_fail(*content, node_text_key(node), language.code);
    };
    CHECK(contains(text("brp_who"), "BRP"));
    CHECK(contains(text("brp_bsn"), "BSN"));
    CHECK(contains(text("brp_appointment"), "14 0570"));
    CHECK(contains(text("waste_milieupas"), "milieupas"));
    CHECK(contains(text("waste_lost"), "0900-9552"));
  }
  CHECK(contains(render_or_fail(*content, message_key("welcome"), "ro"), "primăriei (gemeente)"));
  for (const auto& file : locale_files()) {
    CAPTURE(file.first);
    if (file.first == "variables.yaml") continue;
    CHECK_FALSE(contains(file.second, "14 0570"));
    CHECK_FALSE(contains(file.second, "0900-9552"));
  }
}

TEST_CASE("not_understood names the button to a person exactly as it is labelled") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  for (const LanguageInfo& language : content->languages()) {
    CAPTURE(language.code);
    const std::string label = render_or_fail(*content, node_label_key("human"), language.code);
    CHECK(contains(render_or_fail(*content, message_key("not_understood"), language.code), label));
  }
}

TEST_CASE("shared string variables are isolated in right-to-left languages only") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::string key = node_text_key("brp_appointment");
  CHECK(contains(render_or_fail(*content, key, "ar"), "\u206814 0570\u2069"));
  CHECK(contains(render_or_fail(*content, key, "fa"), "\u206814 0570\u2069"));
  CHECK_FALSE(contains(render_or_fail(*content, key, "ro"), "\u2068"));
  const std::string languages_ar = render_or_fail(*content, node_text_key("language"), "ar");
  CHECK(contains(languages_ar, "\u2068Română\u2069"));
  const std::string languages_zh = render_or_fail(*content, node_text_key("language"), "zh");
  CHECK(contains(languages_zh, "Nederlands、English、"));
  CHECK(contains(languages_zh, "ትግርኛ"));
}

TEST_CASE("numbers and plurals are formatted by ICU for ar, fa, zh, hi and ti") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::string key = node_text_key("brp_who");
  auto with = [&](std::string_view language, std::int64_t months) {
    return render_or_fail(*content, key, language, Arguments{{"brp_stay_months", months}});
  };

  // Arabic: six plural categories, Arabic-Indic digits.
  const std::string ar = render_or_fail(*content, key, "ar");
  CHECK(contains(ar, "٤ أشهر"));  // few
  CHECK(contains(ar, "٥ أيام"));
  CHECK(contains(with("ar", 1), "أكثر من شهر واحد"));   // one
  CHECK(contains(with("ar", 2), "أكثر من شهرين"));      // two
  CHECK(contains(with("ar", 11), "أكثر من ١١ شهرًا"));   // many
  CHECK(contains(with("ar", 100), "أكثر من ١٠٠ شهر"));  // other

  // Persian: Persian digits, the noun stays singular.
  CHECK(contains(render_or_fail(*content, key, "fa"), "۴ ماه"));
  CHECK(contains(render_or_fail(*content, key, "fa"), "۵ روز"));
  CHECK(contains(with("fa", 1234), "۱٬۲۳۴ ماه"));

  // Chinese: one form; grouping as in zh.
  CHECK(contains(render_or_fail(*content, key, "zh"), "超过4个月"));
  CHECK(contains(with("zh", 1234), "1,234个月"));

  // Hindi: one/other.
  CHECK(contains(render_or_fail(*content, key, "hi"), "4 महीनों से ज़्यादा"));
  CHECK(contains(with("hi", 1), "1 महीने से ज़्यादा"));

  // Tigrinya: one for 0 and 1.
  CHECK(contains(render_or_fail(*content, key, "ti"), "ልዕሊ 4 ኣዋርሕ"));
  CHECK(contains(with("ti", 1), "ልዕሊ 1 ወርሒ"));
  CHECK(contains(with("ti", 0), "ልዕሊ 0 ወርሒ"));

  // A string where a number is needed is an error, not a crash.
  const auto wrong =
      content->render(key, "ar", {}, Arguments{{"brp_stay_months", std::string("x")}});
  CHECK_FALSE(wrong.has_value());
}

TEST_CASE("a date argument is formatted for the locale, in Amsterdam time") {
  Files files = locale_files();
  replace_in(files, "tree.yaml", "  - id: welcome",
             "  - id: appointment\n    arguments: [when]\n  - id: welcome");
  replace_in(files, "nl.yaml", "messages:\n",
             "messages:\n  appointment: \"Uw afspraak: {when, date, long}.\"\n");
  replace_in(files, "fa.yaml", "messages:\n",
             "messages:\n  appointment: \"وقت شما: {when, date, long}.\"\n");
  const auto parsed = parse_content(files);
  REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().describe()));
  const Content& content = **parsed;
  // 30 June 2023 22:30 UTC is 1 July 00:30 in Amsterdam.
  const auto when = std::chrono::sys_days(std::chrono::year(2023) / 6 / 30) +
                    std::chrono::hours(22) + std::chrono::minutes(30);
  const auto nl = content.render(message_key("appointment"), "nl", {}, Arguments{{"when", when}});
  REQUIRE(nl.has_value());
  CHECK(nl->text == "Uw afspraak: 1 juli 2023.");
  const auto fa = content.render(message_key("appointment"), "fa", {}, Arguments{{"when", when}});
  REQUIRE(fa.has_value());
  CHECK(contains(fa->text, "۱ ژوئیهٔ ۲۰۲۳"));  // Gregorian calendar, Persian digits
  const auto ro = content.render(message_key("appointment"), "ro", {}, Arguments{{"when", when}});
  REQUIRE(ro.has_value());
  CHECK(ro->language == "nl");
  CHECK(ro->fallback);
  CHECK(content.missing_translations().size() == 14);  // every language but nl and fa
}

TEST_CASE("fallback order: requested, second language, en, nl; flagged and listed") {
  Files files = locale_files();
  remove_node_field(files, "ro", "brp_who", "text");
  const std::string key = node_text_key("brp_who");

  auto parsed = parse_content(files);
  REQUIRE(parsed.has_value());
  const Content* content = parsed->get();
  REQUIRE(content->missing_translations().size() == 1);
  const ContentProblem& missing = content->missing_translations().front();
  CHECK(missing.file == "ro.yaml");
  CHECK(missing.node == "brp_who");
  CHECK(missing.key == key);
  CHECK(missing.language == "ro");

  auto text = content->render(key, "ro", "bg");
  REQUIRE(text.has_value());
  CHECK(text->language == "bg");
  CHECK(text->fallback);
  CHECK(contains(text->text, "Регистрацията е безплатна"));
  CHECK(content->render(key, "ro")->language == "en");
  CHECK(content->render(key, "bg", "ro")->language == "bg");
  CHECK_FALSE(content->render(key, "bg", "ro")->fallback);
  CHECK(content->lookup(key, "ro", "bg")->language == "bg");

  remove_node_field(files, "bg", "brp_who", "text");
  parsed = parse_content(files);
  REQUIRE(parsed.has_value());
  content = parsed->get();
  text = content->render(key, "ro", "bg");
  REQUIRE(text.has_value());
  CHECK(text->language == "en");
  CHECK(text->fallback);

  remove_node_field(files, "en", "brp_who", "text");
  parsed = parse_content(files);
  REQUIRE(parsed.has_value());
  content = parsed->get();
  text = content->render(key, "ro", "bg");
  REQUIRE(text.has_value());
  CHECK(text->language == "nl");
  CHECK(text->fallback);
  CHECK(contains(text->text, "Inschrijven is gratis"));
  CHECK(content->missing_translations().size() == 3);
  // An unsupported language falls back too.
  CHECK(content->render(key, "xx")->language == "nl");
  CHECK(content->render(key, "xx")->fallback);
  CHECK(content->fallback_chain("ro", "bg") == std::vector<std::string>{"ro", "bg", "en", "nl"});
  CHECK(content->fallback_chain("en", "xx") == std::vector<std::string>{"en", "nl"});
}

TEST_CASE("a missing Dutch text is an error: nl is the last fallback") {
  Files files = locale_files();
  remove_node_field(files, "nl", "privacy", "label");
  const auto parsed = parse_content(files);
  REQUIRE_FALSE(parsed.has_value());
  CHECK(has_problem(parsed.error(), "nl.yaml", "privacy", "nl", "last fallback"));
}

TEST_CASE("a broken MessageFormat is reported with file, node and language") {
  Files files = locale_files();
  replace_in(files, "ro.yaml", "{brp_deadline_days, plural,", "{brp_deadline_days, plural");
  const auto parsed = parse_content(files);
  REQUIRE_FALSE(parsed.has_value());
  MESSAGE(parsed.error().describe());
  CHECK(has_problem(parsed.error(), "ro.yaml", "brp_who", "ro", "MessageFormat"));
  REQUIRE(parsed.error().problems.size() == 1);
  CHECK(parsed.error().problems.front().key == "nodes.brp_who.text");
  CHECK(contains(parsed.error().problems.front().describe(), "ro.yaml: nodes.brp_who.text [ro]:"));
}

TEST_CASE("an over-long label is reported with file, node and language") {
  Files files = locale_files();
  replace_in(files, "ro.yaml", "label: \"Înregistrare (BRP)\"",
             "label: \"Înregistrare în registrul populației (BRP)\"");
  const auto parsed = parse_content(files);
  REQUIRE_FALSE(parsed.has_value());
  MESSAGE(parsed.error().describe());
  CHECK(has_problem(parsed.error(), "ro.yaml", "brp", "ro", "label has 42 characters"));
}

TEST_CASE("placeholders must match Dutch and exist; plural keywords must fit the language") {
  SUBCASE("a placeholder left out") {
    Files files = locale_files();
    replace_in(files, "de.yaml",
               "Rufen Sie {phone_municipality} an. Im Notfall rufen Sie {phone_emergency} an.",
               "Rufen Sie die Gemeinde an.");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "de.yaml", "human", "de", "differ from nl"));
  }
  SUBCASE("a misspelt placeholder") {
    Files files = locale_files();
    replace_in(files, "pl.yaml", "{phone_circulus}", "{phone_circulsu}");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "pl.yaml", "waste_landlord", "pl",
                      "unknown placeholder {phone_circulsu}"));
  }
  SUBCASE("a plural keyword German does not have") {
    Files files = locale_files();
    replace_in(files, "de.yaml", "one {# Tag} other {# Tagen}",
               "one {# Tag} few {# Tage} other {# Tagen}");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "de.yaml", "brp_who", "de", "plural keyword \"few\""));
  }
  SUBCASE("a plural without other") {
    Files files = locale_files();
    replace_in(files, "uk.yaml", " other {# дня}}", "}");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "uk.yaml", "brp_who", "uk", "MessageFormat"));
  }
  SUBCASE("a right-to-left text that begins with a Latin word") {
    Files files = locale_files();
    replace_in(files, "ar.yaml", "خدمة Buurtlijn تابعة", "Buurtlijn خدمة تابعة");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "ar.yaml", "privacy", "ar", "left to right"));
  }
  SUBCASE("an apostrophe that quotes a placeholder") {
    Files files = locale_files();
    replace_in(files, "it.yaml", "Chiami il {phone_municipality}.",
               "Chiami l'{phone_municipality}.");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "it.yaml", "privacy", "it", "apostrophe"));
  }
}

TEST_CASE("a broken tree or file is reported, never thrown") {
  SUBCASE("a child that does not exist") {
    Files files = locale_files();
    replace_in(files, "tree.yaml", "language, privacy]", "language, privacy, jobs]");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "tree.yaml", "root", "", "child \"jobs\" does not exist"));
  }
  SUBCASE("a node with two parents") {
    Files files = locale_files();
    replace_in(files, "tree.yaml", "language, privacy]", "language, privacy, brp]");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "tree.yaml", "brp", "", "more than one parent"));
  }
  SUBCASE("a YAML syntax error") {
    Files files = locale_files();
    replace_in(files, "es.yaml", "  send: \"Enviar\"", "  send: \"Enviar");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "es.yaml", "", "", "YAML error at line"));
  }
  SUBCASE("a catalog missing, an unknown key, a text for an unknown node") {
    Files files = locale_files();
    std::erase_if(files, [](const auto& file) { return file.first == "ti.yaml"; });
    replace_in(files, "hi.yaml", "  send:", "  sned: \"x\"\n  send:");
    replace_in(files, "zh.yaml", "nodes:\n", "nodes:\n  jobs:\n    label: \"工作\"\n");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "ti.yaml", "", "ti", "catalog missing"));
    CHECK(has_problem(parsed.error(), "hi.yaml", "", "hi", "unknown ui key"));
    CHECK(has_problem(parsed.error(), "zh.yaml", "jobs", "zh", "not a node of tree.yaml"));
  }
  SUBCASE("a key written twice") {
    Files files = locale_files();
    replace_in(files, "ro.yaml", "  send: \"Trimiteți\"",
               "  send: \"Trimiteți\"\n  send: \"Trimite\"");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "ro.yaml", "", "", "duplicate key \"send\""));
  }
  SUBCASE("not UTF-8, empty, or not YAML at all") {
    CHECK_FALSE(parse_content({}).has_value());
    Files files = locale_files();
    file_text(files, "pt.yaml") = "name: \"Portugu\xea\x73\"\n";
    CHECK(has_problem(parse_content(files).error(), "pt.yaml", "", "", "not valid UTF-8"));
    file_text(files, "pt.yaml") = "- a\n- b\n";
    CHECK(has_problem(parse_content(files).error(), "pt.yaml", "", "", "mapping"));
    file_text(files, "tree.yaml") = std::string("\0\1\2{{[[", 7);
    CHECK_FALSE(parse_content(files).has_value());
    file_text(files, "tree.yaml") = "a: " + std::string(100000, '[');
    CHECK(has_problem(parse_content(files).error(), "tree.yaml", "", "", "nested"));
  }
}

TEST_CASE("one Content renders from many threads at once") {
  const auto content = real_content();
  REQUIRE(content != nullptr);
  const std::string key = node_text_key("brp_who");
  const std::array<std::string_view, 4> languages = {"ar", "ro", "zh", "ti"};
  std::array<std::string, 4> expected;
  for (std::size_t i = 0; i < languages.size(); ++i) {
    expected[i] =
        content->render(key, languages[i], {}, Arguments{{"brp_stay_months", std::int64_t{7}}})
            ->text;
  }
  std::array<int, 4> mismatches{};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < languages.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::size_t l = (t + static_cast<std::size_t>(i)) % languages.size();
        const auto text =
            content->render(key, languages[l], {}, Arguments{{"brp_stay_months", std::int64_t{7}}});
        if (!text || text->text != expected[l]) ++mismatches[t];
        if (content->render(message_key("welcome"), languages[l])->text.empty()) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(mismatches == std::array<int, 4>{});
}

TEST_CASE("fold_for_matching: case, accents, punctuation, Arabic and Persian letters") {
  CHECK(fold_for_matching("  Română! ") == "romana");
  CHECK(fold_for_matching("MENU") == "menu");
  CHECK(fold_for_matching("/start") == "start");
  CHECK(fold_for_matching("Menü?") == "menu");
  CHECK(fold_for_matching("ｍｅｎｕ") == "menu");  // full-width
  CHECK(fold_for_matching("Main   menu") == "main menu");
  CHECK(fold_for_matching("فارسي") == fold_for_matching("فارسی"));  // Arabic vs Persian yeh
  CHECK(fold_for_matching("Ελληνικά") == "ελληνικα");
  CHECK(fold_for_matching("") == "");
  CHECK(fold_for_matching("!!!") == "");
  CHECK(fold_for_matching("1.") == "1");
}

}  // namespace
}  // namespace buurtlijn::dialogs
