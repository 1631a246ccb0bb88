// Kannel SMS connector: callbacks, delivery reports, sendsms calls, GSM-7/UCS-2 segment
// counting and splitting. Payloads are the query strings Kannel's get-url escapes make.
#include "connectors/kannel/kannel.hpp"

#include <doctest/doctest.h>
#include <unicode/brkiter.h>
#include <unicode/unistr.h>

#include <boost/url.hpp>

using namespace buurtlijn::connectors;

namespace {
kannel::Settings settings() {
  kannel::Settings s;
  s.callback_secret = "kannel-secret";
  s.sendsms_url = "http://127.0.0.1:13013/cgi-bin/sendsms";
  s.username = "buurtlijn";
  s.password = "pw";
  s.sender = "1400";
  s.dlr_url = "http://127.0.0.1:8080/webhooks/kannel/dlr";
  s.max_segments = 3;
  return s;
}

tl::expected<Inbound, Refusal> get(const std::string& target) {
  const Headers none;
  return kannel::parse_inbound({"GET", target, &none, ""}, settings());
}

std::map<std::string, std::string> params_of(const std::string& url) {
  std::map<std::string, std::string> out;
  for (const auto& param : boost::urls::url_view(url).params()) out[param.key] = param.value;
  return out;
}
}  // namespace

TEST_CASE("kannel: an inbound SMS in UTF-8 and in UCS-2 (UTF-16BE)") {
  auto utf8 =
      get("/webhooks/kannel?secret=kannel-secret&from=%2B359881234567&to=1400&"
          "text=%D0%9A%D0%B0%D0%BA+%D0%B4%D0%B0+%D1%81%D0%B5+%D1%80%D0%B5%D0%B3%D0%B8%D1%81%D1%82"
          "%D1%80%D0%B8%D1%80%D0%B0%D0%BC%3F&coding=2&charset=UTF-8&ts=1764282300&id=a1b2-c3");
  REQUIRE(utf8);
  const auto& m = std::get<MessageEvent>(utf8->events.at(0));
  CHECK(m.text == "Как да се регистрирам?");
  CHECK(m.address == "+359881234567");
  CHECK(m.channel_message_id == "a1b2-c3");
  CHECK(m.sent_at == 1764282300);

  // "Да" as UTF-16BE bytes: 04 14 04 30.
  auto ucs2 =
      get("/webhooks/kannel?secret=kannel-secret&from=%2B359881234567&text=%04%14%040"
          "&coding=2&charset=UTF-16BE&id=x9");
  REQUIRE(ucs2);
  CHECK(std::get<MessageEvent>(ucs2->events.at(0)).text == "Да");
}

TEST_CASE("kannel: refusals") {
  auto no_secret = get("/webhooks/kannel?from=1&text=hi&id=1");
  REQUIRE_FALSE(no_secret);
  CHECK(no_secret.error().kind == Refusal::Kind::unauthorized);
  CHECK(get("/webhooks/kannel?secret=kannel-secreT&from=1&text=hi&id=1").error().kind ==
        Refusal::Kind::unauthorized);
  CHECK(get("/webhooks/kannel?secret=kannel-secret&text=hi").error().kind ==
        Refusal::Kind::malformed);
  CHECK(get("/webhooks/kannel?secret=kannel-secret&from=1&id=2&text=%C3%28&charset=UTF-8")
            .error()
            .kind == Refusal::Kind::malformed);
  CHECK(get("/webhooks/kannel?secret=kannel-secret&from=1&id=2&text=x&charset=NO-SUCH-SET")
            .error()
            .kind == Refusal::Kind::malformed);
}

// Found by tests/fuzz (kannel_query): a sender or message id that is not UTF-8 went on to
// the pseudonym, the stored reply address and the deduplication key as stray bytes.
TEST_CASE("kannel: from, id and DLR ref must be valid UTF-8 (fuzz regression)") {
  const auto from = get(
      "/webhooks/kannel?secret=kannel-secret&from=%2B359881234567.to=1400&text=&from=%2B35988123A+"
      "%D04$%BD0%B0&coding=2&charybhooks/kann/el=4282310&id=bc-a213");
  REQUIRE_FALSE(from);
  CHECK(from.error().kind == Refusal::Kind::malformed);
  CHECK_FALSE(from.error().reason.empty());
  CHECK(get("/webhooks/kannel?secret=kannel-secret&from=1&id=%FF%FE&text=hi").error().kind ==
        Refusal::Kind::malformed);
  // Valid non-ASCII stays accepted: an alphanumeric sender in Cyrillic.
  auto cyrillic = get("/webhooks/kannel?secret=kannel-secret&from=%D0%94%D0%B0&id=x1&text=hi");
  REQUIRE(cyrillic);
  CHECK(std::get<MessageEvent>(cyrillic->events.at(0)).address == "Да");
  const Headers none;
  const auto dlr = kannel::parse_delivery_report(
      {"GET", "/webhooks/kannel/dlr?secret=kannel-secret&ref=%C3%28&type=1", &none, ""},
      settings());
  REQUIRE_FALSE(dlr);
  CHECK(dlr.error().kind == Refusal::Kind::malformed);
}

TEST_CASE("kannel: delivery reports") {
  const Headers none;
  const auto dlr = [&](const std::string& query) {
    return kannel::parse_delivery_report({"GET", "/webhooks/kannel/dlr?" + query, &none, ""},
                                         settings());
  };
  auto delivered = dlr("secret=kannel-secret&ref=42&type=1&smsc_id=abc");
  REQUIRE(delivered);
  const auto& status = std::get<StatusEvent>(delivered->events.at(0));
  CHECK(status.provider_message_id == "42");
  CHECK(status.state == StatusEvent::State::delivered);
  CHECK(std::get<StatusEvent>(dlr("secret=kannel-secret&ref=42&type=2")->events.at(0)).state ==
        StatusEvent::State::failed);
  CHECK(std::get<StatusEvent>(dlr("secret=kannel-secret&ref=42&type=16")->events.at(0)).state ==
        StatusEvent::State::failed);
  CHECK(std::get<StatusEvent>(dlr("secret=kannel-secret&ref=42&type=8")->events.at(0)).state ==
        StatusEvent::State::sent);
  CHECK(dlr("secret=kannel-secret&ref=42&type=4")->events.empty());
  CHECK(dlr("secret=nope&ref=42&type=1").error().kind == Refusal::Kind::unauthorized);
  CHECK(dlr("secret=kannel-secret&type=1").error().kind == Refusal::Kind::malformed);
}

TEST_CASE("kannel: sendsms uses coding=2 and UTF-8 for anything outside GSM-7") {
  OutboundMessage message{"+359881234567", "Добре дошли!", {}, "bg", {}, "42"};
  const HttpCall call = kannel::render(message, settings());
  CHECK(call.method == "GET");
  CHECK(call.url.rfind("http://127.0.0.1:13013/cgi-bin/sendsms?", 0) == 0);
  auto params = params_of(call.url);
  CHECK(params["text"] == "Добре дошли!");
  CHECK(params["to"] == "+359881234567");
  CHECK(params["from"] == "1400");
  CHECK(params["coding"] == "2");
  CHECK(params["charset"] == "UTF-8");
  CHECK(params["dlr-mask"] == "31");
  CHECK(params["dlr-url"] ==
        "http://127.0.0.1:8080/webhooks/kannel/dlr?secret=kannel-secret&ref=42&type=%d&smsc_id=%F");

  message.text = "Welkom bij Buurtlijn";
  message.choices = {{"brp", "Inschrijven (BRP)", ""}, {"waste", "Afval", ""}};
  params = params_of(kannel::render(message, settings()).url);
  CHECK(params.count("coding") == 0);
  CHECK(params["text"] == "Welkom bij Buurtlijn\n\n1. Inschrijven (BRP)\n2. Afval");
}

TEST_CASE("kannel: segments: GSM-7 160/153 with extension characters counting 2, UCS-2 70/67") {
  CHECK(kannel::count_segments(std::string(160, 'a')).count == 1);
  CHECK(kannel::count_segments(std::string(161, 'a')).count == 2);
  CHECK(kannel::count_segments(std::string(306, 'a')).count == 2);
  CHECK(kannel::count_segments(std::string(307, 'a')).count == 3);
  const auto euro = kannel::count_segments(std::string(158, 'a') + "€");
  CHECK_FALSE(euro.unicode);
  CHECK(euro.units == 160);
  CHECK(kannel::count_segments(std::string(159, 'a') + "€").count == 2);
  CHECK_FALSE(kannel::count_segments("Çà ß Ñ ü é £ ¥ § ¿ Δ").unicode);

  std::string cyrillic;
  for (int i = 0; i < 70; ++i) cyrillic += "д";
  CHECK(kannel::count_segments(cyrillic).unicode);
  CHECK(kannel::count_segments(cyrillic).count == 1);
  CHECK(kannel::count_segments(cyrillic + "д").count == 2);
  CHECK(kannel::count_segments(std::string(133, 'a') + "ș").count == 2);  // one char makes it UCS-2
  CHECK(kannel::count_segments("👍").units == 2);  // a surrogate pair is two UTF-16 units
}

TEST_CASE("kannel: long texts split at sentence boundaries, never inside a grapheme") {
  std::string text;
  for (int i = 0; i < 12; ++i) text += "Това е изречение номер " + std::to_string(i) + ". ";
  const auto parts = kannel::split_message(text, 1);
  CHECK(parts.size() > 1);
  std::string joined;
  for (const std::string& part : parts) {
    CHECK(kannel::count_segments(part).count == 1);
    CHECK(part.back() == '.');  // every part ends at the end of a sentence
    joined += part + " ";
  }
  CHECK(joined == text);

  CHECK(kannel::split_message("Kort bericht.", 3) == std::vector<std::string>{"Kort bericht."});

  // One "sentence" longer than a segment: split between words, then between graphemes.
  std::string family;
  for (int i = 0; i < 40; ++i)
    family += "👨‍👩‍👧";  // 8 UTF-16 units each, ZWJ sequences
  for (const std::string& part : kannel::split_message(family, 1)) {
    CHECK(kannel::count_segments(part).count == 1);
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(part);
    CHECK(u.length() % 8 == 0);  // whole families only
  }
}

TEST_CASE("kannel: every part is as long as the segments allow (greedy), also for long texts") {
  // 3,000 letters without a space: split between graphemes, each part but the last full.
  const std::string letters(3000, 'a');
  const auto parts = kannel::split_message(letters, 2);
  REQUIRE(parts.size() == 10);  // 2 segments of 153 GSM-7 characters = 306 per part
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    CHECK(kannel::count_segments(parts[i]).count <= 2);
    if (i + 1 < parts.size()) CHECK(parts[i].size() == 306);
    joined += parts[i];
  }
  CHECK(joined == letters);
}

TEST_CASE("kannel: sendsms answers") {
  CHECK(kannel::classify_response({202, "0: Accepted for delivery", {}}).kind ==
        SendOutcome::Kind::sent);
  CHECK(kannel::classify_response({202, "3: Queued for later delivery", {}}).kind ==
        SendOutcome::Kind::sent);
  CHECK(kannel::classify_response({403, "Authorization failed for sendsms", {}}).kind ==
        SendOutcome::Kind::permanent);
  CHECK(kannel::classify_response({400, "Missing receiver number", {}}).kind ==
        SendOutcome::Kind::permanent);
  CHECK(kannel::classify_response({503, "Temporal failure, try again later.", {}}).kind ==
        SendOutcome::Kind::retry);
  CHECK(kannel::classify_response({0, "", {}}).kind == SendOutcome::Kind::retry);
}
