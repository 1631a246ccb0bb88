// Unit tests of dialogs/content_check (behind `buurtlijn content check`) and of the
// catalog keys for recognising free text (examples, keywords, greetings, safety,
// `trigger: safety`): each problem found on a small in-memory content, named by file,
// node and language; the coverage table; and the real locales/ content checked clean.
#include "dialogs/content_check.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "tests/unit/dialogs/content_fixture.hpp"
#include "tests/unit/dialogs/mini_content.hpp"

namespace buurtlijn::dialogs {
namespace {

using testing::Files;
using testing::has_problem;
using testing::mini_content;
using testing::replace_in;

bool check_has(const ContentCheck& check, std::string_view file, std::string_view node,
               std::string_view language, std::string_view what_part) {
  return has_problem(ContentError{check.problems}, file, node, language, what_part);
}

std::string all_problems(const ContentCheck& check) {
  std::string out;
  for (const ContentProblem& problem : check.problems) out += describe_problem(problem) + "\n";
  return out;
}

TEST_CASE("the small content parses and checks clean, with its coverage") {
  const auto parsed = parse_content(mini_content());
  REQUIRE_MESSAGE(parsed.has_value(), (parsed ? "" : parsed.error().describe()));
  const Node* safety = (*parsed)->node("safety_help");
  REQUIRE(safety != nullptr);
  CHECK(safety->trigger == "safety");
  CHECK(safety->parent.empty());

  const ContentCheck check = check_content(mini_content());
  CHECK_MESSAGE(check.clean(), all_problems(check));
  REQUIRE(check.coverage.size() == 2);
  const LanguageCoverage& nl = check.coverage.front();
  CHECK(nl.language == "nl");
  CHECK(nl.file == "nl.yaml");
  CHECK(nl.texts == nl.texts_expected);
  CHECK(nl.texts_expected == std::size(kUiKeys) + 4 + 2 * 6);
  CHECK(nl.nodes == 6);
  CHECK(nl.nodes_with_examples == 6);
  CHECK(nl.examples == 10);
  CHECK(nl.keywords == 8);
  CHECK(nl.greetings == 2);
  CHECK(nl.safety == 3);
  const std::string table = coverage_table(check.coverage);
  CHECK(table.find("lang") == 0);
  CHECK(table.find("\nnl ") != std::string::npos);
  CHECK(table.find("\nen ") != std::string::npos);
}

TEST_CASE("content check: one line per problem, with file, node and language") {
  SUBCASE("a text missing in one language is a problem for the check") {
    Files files = mini_content();
    replace_in(files, "en.yaml", "    text: \"Lost your pass? Call Circulus: {phone_circulus}.\"\n",
               "");
    CHECK(parse_content(files).has_value());  // it would fall back to Dutch
    const ContentCheck check = check_content(files);
    CHECK(check_has(check, "en.yaml", "waste_lost", "en", "missing translation"));
    CHECK(describe_problem(check.problems.front()) ==
          "en.yaml: waste_lost [en]: missing translation (nodes.waste_lost.text)");
    CHECK(check.coverage[1].texts + 1 == check.coverage[1].texts_expected);
  }
  SUBCASE("a MessageFormat syntax error") {
    Files files = mini_content();
    replace_in(files, "en.yaml", "{days, plural, one", "{days, plural one");
    CHECK(check_has(check_content(files), "en.yaml", "waste_bulky", "en", "MessageFormat"));
  }
  SUBCASE("placeholders that differ between languages") {
    Files files = mini_content();
    replace_in(files, "en.yaml", "Call Circulus: {phone_circulus}.", "Call Circulus.");
    CHECK(check_has(check_content(files), "en.yaml", "waste_lost", "en", "differ from nl"));
  }
  SUBCASE("a label over the limit") {
    Files files = mini_content();
    replace_in(files, "en.yaml", "label: \"Bulky waste\"",
               "label: \"Bulky waste and old furniture\"");
    CHECK(check_has(check_content(files), "en.yaml", "waste_bulky", "en", "label has 29"));
  }
  SUBCASE("two buttons of one menu with the same label") {
    Files files = mini_content();
    replace_in(files, "en.yaml", "label: \"Bulky waste\"", "label: \"Pass lost\"");
    CHECK(check_has(check_content(files), "en.yaml", "waste_bulky", "en",
                    "also the label of waste_lost"));
  }
  SUBCASE("an unreachable node") {
    Files files = mini_content();
    replace_in(files, "tree.yaml", "children: [waste_lost, waste_bulky]", "children: [waste_lost]");
    const ContentCheck check = check_content(files);
    CHECK(check_has(check, "tree.yaml", "waste_bulky", "", "not reachable"));
    CHECK(check.coverage.size() == 2);  // the catalogs are still counted
  }
  SUBCASE("a node without example phrases, a catalog without greetings or safety phrases") {
    Files files = mini_content();
    replace_in(files, "nl.yaml",
               "    examples: [\"ik wil met een mens praten\", \"medewerker alstublieft\"]\n", "");
    replace_in(files, "en.yaml", "greetings: [hello, good morning]\n", "");
    replace_in(files, "en.yaml", "safety: [help me, \"they took my passport\", exploitation]\n",
               "");
    const ContentCheck check = check_content(files);
    CHECK(check_has(check, "nl.yaml", "human", "nl", "no example phrases"));
    CHECK(check_has(check, "en.yaml", "", "en", "no greetings"));
    CHECK(check_has(check, "en.yaml", "", "en", "no safety phrases"));
    CHECK(check_has(check, "en.yaml", "root", "en", "no example phrases") == false);
    CHECK(check.coverage[0].nodes_with_examples == 5);
  }
  SUBCASE("files that are not even YAML: problems, never an exception") {
    Files files = mini_content();
    files[2].second = "nodes: [";
    const ContentCheck check = check_content(files);
    CHECK_FALSE(check.clean());
    CHECK(check_has(check, "nl.yaml", "", "", "YAML error"));
  }
}

TEST_CASE("the catalog keys for free text are checked like every other key") {
  SUBCASE("an unknown key is still refused") {
    Files files = mini_content();
    replace_in(files, "en.yaml", "    keywords: [lost]", "    keywords: [lost]\n    exampels: [x]");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "en.yaml", "waste_lost", "en", "unknown field \"exampels\""));
  }
  SUBCASE("phrases are a list of one-line texts") {
    Files files = mini_content();
    replace_in(files, "en.yaml", "keywords: [lost]", "keywords: lost");
    replace_in(files, "nl.yaml", "greetings: [hallo, goedemorgen]", "greetings: [hallo, \"\"]");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "en.yaml", "waste_lost", "en", "expected a list"));
    CHECK(has_problem(parsed.error(), "nl.yaml", "greetings", "nl", "one non-empty line"));
  }
  SUBCASE("an unknown trigger, and a trigger node inside a menu") {
    Files files = mini_content();
    replace_in(files, "tree.yaml", "trigger: safety", "trigger: danger");
    auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "tree.yaml", "safety_help", "", "unknown trigger"));

    files = mini_content();
    replace_in(files, "tree.yaml", "children: [waste, human]",
               "children: [waste, human, safety_help]");
    parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "tree.yaml", "safety_help", "", "in no menu"));
  }
  SUBCASE("a node neither in a menu nor with a trigger is unreachable") {
    Files files = mini_content();
    replace_in(files, "tree.yaml", "    trigger: safety\n", "");
    const auto parsed = parse_content(files);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(has_problem(parsed.error(), "tree.yaml", "safety_help", "", "not reachable"));
  }
}

// The real locales/ content: every node, text and phrase in all 16 languages. This holds
// once all catalogs are complete (they are since the translators' delivery for issue 3);
// a failure lists exactly what `buurtlijn content check` would print.
TEST_CASE("the real content checks clean in all 16 languages") {
  const ContentCheck check = check_content(testing::locale_files());
  CHECK_MESSAGE(check.clean(), all_problems(check));
  MESSAGE("coverage:\n" << coverage_table(check.coverage));
  REQUIRE(check.coverage.size() == 16);
  for (const LanguageCoverage& row : check.coverage) {
    CAPTURE(row.language);
    CHECK(row.texts == row.texts_expected);
    CHECK(row.nodes_with_examples == row.nodes);
    CHECK(row.greetings >= 5);
    CHECK(row.safety >= 8);
  }
}

}  // namespace
}  // namespace buurtlijn::dialogs
