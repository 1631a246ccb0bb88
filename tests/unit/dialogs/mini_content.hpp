// Shared by the dialogs unit tests: a small, complete content in two languages (nl, en)
// with the same shape as locales/ (a main menu, a topic menu with two answers, a
// hand-over node, a safety node), so that parsing, checking and matching can be tested
// on content that does not change when the translators edit the real catalogs.
// Not thread-safe helpers (they build strings); the Content parsed from them is.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace buurtlijn::dialogs::testing {

inline std::vector<std::pair<std::string, std::string>> mini_content() {
  const std::string tree = R"(languages: [nl, en]
root: root
messages:
  - id: welcome
  - id: not_understood
  - id: handed_over
  - id: waiting_for_person
nodes:
  - id: root
    kind: menu
    topic: greeting
    children: [waste, human]
  - id: waste
    kind: menu
    topic: waste
    children: [waste_lost, waste_bulky]
  - id: waste_lost
    kind: answer
    topic: waste
  - id: waste_bulky
    kind: answer
    topic: waste
  - id: human
    kind: handover
    topic: human
  - id: safety_help
    kind: handover
    topic: human
    trigger: safety
)";
  const std::string variables = R"(texts:
  phone_circulus: "0900-9552"
numbers:
  days: 5
)";
  const std::string ui = R"(ui:
  title: "t"
  intro: "i"
  choose_language: "c"
  change_language: "c"
  placeholder: "p"
  send: "s"
  connecting: "c"
  reconnecting: "r"
  you: "y"
  bot: "b"
  error_too_long: "e"
  error_rate_limited: "e"
  error_invalid: "e"
  error_server: "e"
)";
  const std::string nl = R"(name: "Nederlands"
direction: ltr
menu_words: [menu]
greetings: [hallo, goedemorgen]
safety: [help, "ze hebben mijn paspoort afgepakt", uitbuiting]
)" + ui + R"(messages:
  welcome: "Welkom."
  not_understood: "Dat begreep ik niet."
  handed_over: "Een medewerker leest mee."
  waiting_for_person: "Een medewerker antwoordt zo."
nodes:
  root:
    label: "Hoofdmenu"
    text: "Kies een onderwerp."
    examples: ["wat kan ik vragen"]
  waste:
    label: "Afval"
    text: "Vragen over afval."
    examples: ["vraag over afval", "vuilnis"]
    keywords: [afval]
  waste_lost:
    label: "Pas kwijt"
    text: "Pas kwijt? Bel Circulus: {phone_circulus}."
    examples: ["ik ben mijn milieupas kwijt", "pasje verloren"]
    keywords: [kwijt, verloren]
  waste_bulky:
    label: "Grofvuil"
    text: "Grofvuil gaat naar het Recycleplein, binnen {days, plural, one {# dag} other {# dagen}}."
    examples: ["waar laat ik mijn oude bank", "matras weggooien"]
    keywords: [grofvuil, matras, bank]
  human:
    label: "Praat met iemand"
    text: "Een medewerker antwoordt hier."
    examples: ["ik wil met een mens praten", "medewerker alstublieft"]
    keywords: [mens, medewerker]
  safety_help:
    label: "Hulp"
    text: "Bent u in gevaar? Bel 112."
    examples: ["mijn baas betaalt mij niet"]
)";
  const std::string en = R"(name: "English"
direction: ltr
menu_words: [main menu]
greetings: [hello, good morning]
safety: [help me, "they took my passport", exploitation]
)" + ui + R"(messages:
  welcome: "Welcome."
  not_understood: "I did not understand."
  handed_over: "A colleague reads along."
  waiting_for_person: "A colleague answers soon."
nodes:
  root:
    label: "Main menu"
    text: "Choose a topic."
    examples: ["what can I ask"]
  waste:
    label: "Waste"
    text: "Questions about waste."
    examples: ["question about waste", "rubbish"]
    keywords: [waste]
  waste_lost:
    label: "Pass lost"
    text: "Lost your pass? Call Circulus: {phone_circulus}."
    examples: ["I lost my milieupas", "waste pass gone"]
    keywords: [lost]
  waste_bulky:
    label: "Bulky waste"
    text: "Bulky waste goes to the Recycleplein within {days, plural, one {# day} other {# days}}."
    examples: ["where can I take my old sofa", "throw away a mattress"]
    keywords: [bulky, mattress, sofa]
  human:
    label: "Talk to someone"
    text: "A colleague answers here."
    examples: ["I want to talk to a human", "a person please"]
    keywords: [human, person]
  safety_help:
    label: "Help"
    text: "Are you in danger? Call 112."
    examples: ["my boss does not pay me"]
)";
  return {{"tree.yaml", tree}, {"variables.yaml", variables}, {"nl.yaml", nl}, {"en.yaml", en}};
}

}  // namespace buurtlijn::dialogs::testing
