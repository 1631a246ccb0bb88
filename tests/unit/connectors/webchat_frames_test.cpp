// The web chat wire format: every frame shape and every refusal.
#include "connectors/webchat/webchat_frames.hpp"

#include <doctest/doctest.h>

using namespace buurtlijn::connectors::webchat;

namespace {
const FrameLimits kLimits{};

FrameError refusal(std::string_view frame, const FrameLimits& limits = kLimits) {
  auto parsed = parse_client_frame(frame, limits);
  REQUIRE_FALSE(parsed.has_value());
  return parsed.error();
}
}  // namespace

TEST_CASE("client frames parse into their kinds") {
  auto hello = parse_client_frame(R"({"type":"hello","token":"abc","language":"ro"})", kLimits);
  REQUIRE(hello);
  CHECK(std::get<Hello>(*hello).token == "abc");
  CHECK(std::get<Hello>(*hello).language == "ro");

  auto bare_hello = parse_client_frame(R"({"type":"hello"})", kLimits);
  REQUIRE(bare_hello);
  CHECK(std::get<Hello>(*bare_hello).token.empty());

  auto text =
      parse_client_frame(R"({"type":"message","id":"c1","text":"Cum mă înregistrez?"})", kLimits);
  REQUIRE(text);
  CHECK(std::get<TextMessage>(*text).text == "Cum mă înregistrez?");
  CHECK(std::get<TextMessage>(*text).id == "c1");

  auto choice = parse_client_frame(
      R"({"type":"choice","id":"c2","choice":"brp","label":"Înregistrare"})", kLimits);
  REQUIRE(choice);
  CHECK(std::get<ButtonChoice>(*choice).choice == "brp");
  CHECK(std::get<ButtonChoice>(*choice).label == "Înregistrare");

  auto pick = parse_client_frame(R"({"type":"language","id":"c3","language":"ar"})", kLimits);
  REQUIRE(pick);
  CHECK(std::get<LanguagePick>(*pick).language == "ar");

  auto received = parse_client_frame(R"({"type":"received","ids":["o-1","o-2"]})", kLimits);
  REQUIRE(received);
  CHECK(std::get<Received>(*received).ids == std::vector<std::string>{"o-1", "o-2"});
}

TEST_CASE("bad frames are refused with a code the page understands") {
  CHECK(refusal("not json").code == "invalid_frame");
  CHECK(refusal("[1,2]").code == "invalid_frame");
  CHECK(refusal(R"({"type":"shout"})").code == "invalid_frame");
  CHECK(refusal(R"({"text":"x"})").code == "invalid_frame");
  CHECK(refusal(R"({"type":"message","text":"x"})").code == "invalid_frame");
  CHECK(refusal(R"({"type":"message","id":"","text":"x"})").code == "invalid_frame");
  CHECK(refusal(R"({"type":"message","id":"c1","text":42})").code == "invalid_frame");
  const FrameError empty = refusal(R"({"type":"message","id":"c1","text":"  \n "})");
  CHECK(empty.code == "invalid_frame");
  CHECK(empty.id == "c1");
  CHECK(refusal(R"({"type":"language","id":"c1","language":"romanian"})").code == "invalid_frame");
  CHECK(refusal(R"({"type":"hello","language":"RO"})").code == "invalid_frame");
  CHECK(refusal(R"({"type":"received","ids":"o-1"})").code == "invalid_frame");
  CHECK(refusal(R"({"type":"received","ids":[1]})").code == "invalid_frame");
  CHECK(refusal(R"({"type":"choice","id":"c1","choice":""})").code == "invalid_frame");
  CHECK(refusal(R"({"type":"message","id":"c1","text":"x","a":[[[[[[[[[[1]]]]]]]]]]})").code ==
        "invalid_frame");
}

TEST_CASE("invalid UTF-8 is refused before anything else") {
  CHECK(refusal("{\"type\":\"message\",\"id\":\"c1\",\"text\":\"\xC3\x28\"}").code ==
        "invalid_utf8");
  CHECK(refusal("{\"type\":\"message\",\"id\":\"c1\",\"text\":\"\xED\xA0\x80\"}").code ==
        "invalid_utf8");  // an encoded surrogate
  CHECK(refusal("{\"type\":\"message\",\"id\":\"c1\",\"text\":\"\xC0\xAF\"}").code ==
        "invalid_utf8");  // an overlong slash
  CHECK(is_valid_utf8("ትግርኛ हिन्दी 中文 العربية"));
  CHECK(is_valid_utf8(""));
}

TEST_CASE("text longer than the limit is refused as too_long with the client id") {
  FrameLimits limits;
  limits.max_text_bytes = 10;
  CHECK(parse_client_frame(R"({"type":"message","id":"c1","text":"0123456789"})", limits));
  const FrameError error = refusal(R"({"type":"message","id":"c9","text":"01234567890"})", limits);
  CHECK(error.code == "too_long");
  CHECK(error.id == "c9");
  // 4 bytes per character: the limit is in bytes, as the page counts them.
  limits.max_text_bytes = 8;
  CHECK(refusal(R"({"type":"message","id":"c1","text":"中文中"})", limits).code == "too_long");
}

TEST_CASE("server frames render as the page expects") {
  CHECK(render_ready("tok", "ar", true) ==
        R"({"type":"ready","token":"tok","language":"ar","dir":"rtl"})");
  CHECK(render_ack("c1") == R"({"type":"ack","id":"c1"})");
  CHECK(render_language("ro", false) == R"({"type":"language","language":"ro","dir":"ltr"})");
  CHECK(render_error({"too_long", "text exceeds the limit", "c1"}) ==
        R"({"type":"error","code":"too_long","message":"text exceeds the limit","id":"c1"})");

  const BotMessage message{"", "Bună! <script>", "ro", false, {{"brp", "Înregistrare"}}};
  const std::string payload = render_outbox_payload(message);
  auto back = parse_outbox_payload(payload);
  REQUIRE(back);
  CHECK(back->text == message.text);
  CHECK(back->buttons.size() == 1);
  CHECK(back->buttons[0].label == "Înregistrare");
  back->id = outbox_message_id(17);
  CHECK(
      render_bot_message(*back) ==
      R"({"text":"Bună! <script>","lang":"ro","dir":"ltr","buttons":[{"id":"brp","label":"Înregistrare"}],"type":"message","id":"o-17"})");
  CHECK(*parse_outbox_message_id("o-17") == 17);
  CHECK_FALSE(parse_outbox_message_id("o-"));
  CHECK_FALSE(parse_outbox_message_id("o-1x"));
  CHECK_FALSE(parse_outbox_message_id("x-1"));
  CHECK_FALSE(parse_outbox_message_id("o--1"));
}
