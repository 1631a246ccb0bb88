// Unit tests of ConversationState::serialize/parse: compact JSON round trip, and any
// broken or foreign input read as a fresh state.
#include <doctest/doctest.h>

#include <string>

#include "dialogs/engine.hpp"

namespace buurtlijn::dialogs {
namespace {

TEST_CASE("conversation state round-trips through compact JSON") {
  ConversationState state;
  state.language = "ro";
  state.second_language = "bg";
  state.node = "brp";
  state.misses = 1;
  const std::string json = state.serialize();
  CHECK(json == R"({"v":1,"language":"ro","second_language":"bg","node":"brp","misses":1})");
  CHECK(ConversationState::parse(json) == state);
  CHECK(ConversationState::parse(ConversationState{}.serialize()) == ConversationState{});
}

TEST_CASE("broken, foreign or hostile state reads as a fresh state") {
  const ConversationState fresh;
  for (std::string input : {
           std::string(""),
           std::string("null"),
           std::string("[]"),
           std::string("{"),
           std::string("garbage \xff\xfe"),
           std::string(R"({"language":"ro","second_language":"","node":"brp","misses":0})"),
           std::string(R"({"v":2,"language":"ro","second_language":"","node":"brp","misses":0})"),
           std::string(R"({"v":1,"language":7,"second_language":"","node":"brp","misses":0})"),
           std::string(R"({"v":1,"language":"ro","second_language":"","node":"brp","misses":"1"})"),
           std::string(R"({"v":1,"language":"ro","second_language":"","node":"brp","misses":-1})"),
           std::string(R"({"v":1,"language":"ro","second_language":"","node":"brp","misses":1e9})"),
           std::string(
               R"({"v":1,"language":"romanian","second_language":"","node":"brp","misses":0})"),
           std::string(
               R"({"v":1,"language":"ro","second_language":"","node":"../etc","misses":0})"),
           std::string(R"({"v":1,"language":"ro","second_language":"","misses":0})"),
           std::string(8000, '['),
           std::string("{\"v\":1,\"language\":\"ro\",\"x\":\"") + std::string(5000, 'a') + "\"}",
       }) {
    CAPTURE(input.substr(0, 80));
    CHECK(ConversationState::parse(input) == fresh);
  }
}

TEST_CASE("unknown extra fields are ignored") {
  const auto state = ConversationState::parse(
      R"({"v":1,"language":"fa","second_language":"en","node":"root","misses":0,"later":true})");
  CHECK(state.language == "fa");
  CHECK(state.second_language == "en");
  CHECK(state.node == "root");
}

}  // namespace
}  // namespace buurtlijn::dialogs
