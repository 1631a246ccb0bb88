// Telegram Bot API connector, table-driven over fixtures in tests/fixtures/telegram/.
#include "connectors/telegram/telegram.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

using namespace buurtlijn::connectors;
namespace json = boost::json;

namespace {
const telegram::Settings kSettings{"123456:ABC-token", "s3cret_T0ken-x", "http://127.0.0.1:9"};

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BUURTLIJN_SOURCE_DIR) + "/tests/fixtures/telegram/" + name,
                   std::ios::binary);
  REQUIRE_MESSAGE(in.good(), name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

tl::expected<Inbound, Refusal> post(const std::string& body,
                                    const std::string& secret = kSettings.secret_token) {
  const Headers headers{{"x-telegram-bot-api-secret-token", secret}};
  return telegram::parse_inbound({"POST", "/webhooks/telegram", &headers, body}, kSettings);
}

MessageEvent only_message(const tl::expected<Inbound, Refusal>& inbound) {
  REQUIRE(inbound);
  REQUIRE(inbound->events.size() == 1);
  REQUIRE(std::holds_alternative<MessageEvent>(inbound->events[0]));
  return std::get<MessageEvent>(inbound->events[0]);
}
}  // namespace

TEST_CASE("telegram: the secret token header is required and compared exactly") {
  const std::string body = fixture("message.json");
  CHECK(post(body));
  for (const char* wrong : {"", "s3cret_T0ken-y", "s3cret_T0ken-xx"}) {
    auto refused = post(body, wrong);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().kind == Refusal::Kind::unauthorized);
  }
  const Headers none;
  CHECK_FALSE(telegram::parse_inbound({"POST", "/webhooks/telegram", &none, body}, kSettings));
  auto broken = post("{\"update_id\":");
  REQUIRE_FALSE(broken);
  CHECK(broken.error().kind == Refusal::Kind::malformed);
  CHECK(post(R"({"message":{}})").error().kind == Refusal::Kind::malformed);  // no update_id
}

TEST_CASE("telegram: every inbound update kind") {
  {
    const MessageEvent m = only_message(post(fixture("message.json")));
    CHECK(m.channel_message_id == "918273645");
    CHECK(m.address == "5512345678");
    CHECK(m.text == "Як зареєструватися в gemeente?");
    CHECK(m.language_hint == "uk");
    CHECK(m.sent_at == 1764282200);
  }
  {
    const MessageEvent m = only_message(post(fixture("callback_query.json")));
    CHECK(m.choice_id == "brp_bring");
    CHECK(m.interaction_id == "4382bfdwdsb323b2d9");
    CHECK(m.address == "5512345678");
  }
  {
    const MessageEvent m = only_message(post(fixture("location.json")));
    REQUIRE(m.location);
    CHECK(m.location->latitude == doctest::Approx(52.2561));
  }
  {
    const MessageEvent m = only_message(post(fixture("photo.json")));
    REQUIRE(m.media);
    CHECK(m.media->media_id == "AgACAgQAAxkBAAIBlarge");  // the largest size
    CHECK(m.text == "Мішки біля контейнера");
  }
  {
    const MessageEvent m = only_message(post(fixture("voice.json")));
    REQUIRE(m.media);
    CHECK(m.media->kind == "voice");
  }
  auto blocked = post(fixture("blocked.json"));
  REQUIRE(blocked);
  REQUIRE(blocked->events.size() == 1);
  CHECK(std::get<OptOutEvent>(blocked->events[0]).address == "5512345678");
  // Updates Buurtlijn does not handle are acknowledged and ignored.
  auto edited = post(fixture("edited_message.json"));
  REQUIRE(edited);
  CHECK(edited->events.empty());
}

TEST_CASE("telegram: sendMessage with an inline keyboard within 64-byte callback data") {
  OutboundMessage message{"5512345678",
                          "Оберіть тему",
                          {{"brp", "Реєстрація (BRP)", ""}, {"waste", "Сміття", ""}},
                          "uk",
                          {},
                          {}};
  HttpCall call = telegram::render(message, kSettings);
  CHECK(call.method == "POST");
  CHECK(call.url == "http://127.0.0.1:9/bot123456:ABC-token/sendMessage");
  json::value body = json::parse(call.body);
  CHECK(body.at("chat_id") == "5512345678");
  const auto& keyboard = body.at("reply_markup").at("inline_keyboard").as_array();
  REQUIRE(keyboard.size() == 2);
  CHECK(keyboard[0].at(0).at("callback_data") == "brp");
  CHECK(keyboard[1].at(0).at("text") == "Сміття");

  message.choices.push_back({std::string(65, 'x'), "Too long an id", ""});
  body = json::parse(telegram::render(message, kSettings).body);
  CHECK_FALSE(body.as_object().contains("reply_markup"));
  CHECK(std::string(body.at("text").as_string()).find("\n\n1. Реєстрація (BRP)\n2. Сміття\n3. ") !=
        std::string::npos);

  const HttpCall answer = telegram::render_answer_callback("4382bfdwdsb323b2d9", kSettings);
  CHECK(answer.url == "http://127.0.0.1:9/bot123456:ABC-token/answerCallbackQuery");
  CHECK(json::parse(answer.body).at("callback_query_id") == "4382bfdwdsb323b2d9");
}

TEST_CASE("telegram: provider answers") {
  const SendOutcome ok = telegram::classify_response({200, fixture("send_ok.json"), {}});
  CHECK(ok.kind == SendOutcome::Kind::sent);
  CHECK(ok.provider_message_id == "417");
  const SendOutcome limited = telegram::classify_response({429, fixture("send_too_many.json"), {}});
  CHECK(limited.kind == SendOutcome::Kind::throttled);
  CHECK(limited.retry_after == std::chrono::seconds(5));
  const SendOutcome blocked = telegram::classify_response({403, fixture("send_blocked.json"), {}});
  CHECK(blocked.kind == SendOutcome::Kind::permanent);
  CHECK(blocked.opted_out);
  CHECK(blocked.reason == "Forbidden: bot was blocked by the user");
  const SendOutcome bad = telegram::classify_response({400, fixture("send_bad_request.json"), {}});
  CHECK(bad.kind == SendOutcome::Kind::permanent);
  CHECK_FALSE(bad.opted_out);
  CHECK(telegram::classify_response({502, "Bad Gateway", {}}).kind == SendOutcome::Kind::retry);
}
