// Forwarders (issue 5): the e-mail message (headers, RFC 2047 subject, CRLF, no contact
// unless configured) and the Open311 client POST (form fields, answer classification).
#include <doctest/doctest.h>

#include <string>

#include "connectors/email/email.hpp"
#include "connectors/open311/open311.hpp"
#include "connectors/open311/open311_client.hpp"

namespace email = buurtlijn::connectors::email;
namespace o311 = buurtlijn::connectors::open311;
using buurtlijn::connectors::ProviderResponse;
using buurtlijn::connectors::SendOutcome;

namespace {

email::Labels labels(std::string subject) {
  return {std::move(subject), "Categorie", "Gebied", "Meldnummer", "Status", "Zaak", "Contact"};
}

email::CaseSummary summary() {
  email::CaseSummary s;
  s.case_id = 12;
  s.category = "Afval naast container";
  s.area = "Rivierenwijk";
  s.report_number = "4821";
  s.state = "nieuw";
  s.case_url = "https://buurtlijn.example/admin/cases/12";
  s.contact = "whatsapp +31612345678";
  return s;
}

email::Settings settings(bool include_contact) {
  return {"Buurtlijn <buurtlijn@deventer.example>",
          {"afval@deventer.example", "b@x.example"},
          include_contact};
}

// Decodes one "=?UTF-8?B?...?=" word (test helper, standard alphabet).
std::string decode_word(std::string_view word) {
  REQUIRE(word.substr(0, 10) == "=?UTF-8?B?");
  REQUIRE(word.substr(word.size() - 2) == "?=");
  const std::string_view b64 = word.substr(10, word.size() - 12);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : b64) {
    if (c == '=') break;
    buffer = (buffer << 6U) | static_cast<unsigned>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xffU);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("email: headers, CRLF line endings and the summary without contact details") {
  auto message = email::render_message(summary(), labels("Nieuwe zaak 12: afval"), settings(false),
                                       1795835100000, "case-12.outbox-40");
  REQUIRE(message);
  const std::string& m = *message;
  CHECK(m.find("From: Buurtlijn <buurtlijn@deventer.example>\r\n") != std::string::npos);
  CHECK(m.find("To: afval@deventer.example,\r\n b@x.example\r\n") != std::string::npos);
  CHECK(m.find("Subject: Nieuwe zaak 12: afval\r\n") != std::string::npos);
  CHECK(m.find("Date: " + email::format_date(1795835100000) + "\r\n") != std::string::npos);
  CHECK(m.find("Message-ID: <case-12.outbox-40@deventer.example>\r\n") != std::string::npos);
  CHECK(m.find("MIME-Version: 1.0\r\n") != std::string::npos);
  CHECK(m.find("Content-Type: text/plain; charset=UTF-8\r\n") != std::string::npos);
  CHECK(m.find("\r\n\r\nCategorie: Afval naast container\r\n") != std::string::npos);
  CHECK(m.find("Gebied: Rivierenwijk\r\n") != std::string::npos);
  CHECK(m.find("Meldnummer: 4821\r\n") != std::string::npos);
  CHECK(m.find("Status: nieuw\r\n") != std::string::npos);
  CHECK(m.find("Zaak: https://buurtlijn.example/admin/cases/12\r\n") != std::string::npos);
  CHECK(m.find("Contact") == std::string::npos);
  CHECK(m.find("+31612345678") == std::string::npos);
  // Every line feed is preceded by a carriage return, and none stands alone.
  for (std::size_t i = 0; i < m.size(); ++i) {
    const bool lf_after_cr = m[i] != '\n' || (i > 0 && m[i - 1] == '\r');
    const bool cr_before_lf = m[i] != '\r' || (i + 1 < m.size() && m[i + 1] == '\n');
    CHECK(lf_after_cr);
    CHECK(cr_before_lf);
  }
  CHECK(m.substr(m.size() - 2) == "\r\n");
}

TEST_CASE("email: contact details only when the team's configuration says so") {
  auto message = email::render_message(summary(), labels("Zaak"), settings(true), 0, "x");
  REQUIRE(message);
  CHECK(message->find("Contact: whatsapp +31612345678\r\n") != std::string::npos);
}

TEST_CASE("email: a non-ASCII subject becomes RFC 2047 encoded-words of at most 75 characters") {
  const std::string subject =
      "Overlast: kamerverhuur — één melding in Rivierenwijk, Straße, 住宅, ምዝገባ, अपशिष्ट";
  const std::string encoded = email::encode_header_text(subject);
  std::string decoded;
  std::size_t start = 0;
  int words = 0;
  while (start < encoded.size()) {
    auto end = encoded.find("\r\n ", start);
    const std::string_view word =
        std::string_view(encoded).substr(start, end == std::string::npos ? end : end - start);
    CHECK(word.size() <= 75);
    decoded += decode_word(word);
    ++words;
    start = end == std::string::npos ? encoded.size() : end + 3;
  }
  CHECK(words >= 2);
  CHECK(decoded == subject);  // no UTF-8 sequence split across words either
  CHECK(email::encode_header_text("Plain ASCII") == "Plain ASCII");
  CHECK(email::encode_header_text("a\r\nBcc: evil@x") == "aBcc: evil@x");  // no injection
  CHECK(email::encode_header_text("=?x") != "=?x");
}

TEST_CASE("email: RFC 5322 dates and refused settings") {
  CHECK(email::format_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(email::format_date(1795835100000) == "Sat, 28 Nov 2026 03:05:00 +0000");
  CHECK(email::bare_address("Team <a@b.nl>") == "a@b.nl");
  CHECK_FALSE(email::check_settings({"a@b.nl", {}, false}));
  CHECK_FALSE(email::check_settings({"nobody", {"a@b.nl"}, false}));
  CHECK_FALSE(email::check_settings({"a@b.nl", {"x@y.nl\r\nBcc: z@z.nl"}, false}));
  CHECK_FALSE(email::check_settings({"a@b.nl", {"x y@y.nl"}, false}));
  CHECK(email::check_settings({"a@b.nl", {"x@y.nl"}, false}));
  auto refused = email::render_message(summary(), labels("s"), {"a@b.nl", {}, false}, 0, "x");
  CHECK_FALSE(refused);
}

TEST_CASE("open311 client: the POST carries the GeoReport v2 form fields") {
  o311::ClientSettings client{"https://signalen.example/open311/v2", "s3cr3t key", "afval",
                              "deventer"};
  o311::OutgoingRequest request;
  request.lat = 52.2401;
  request.lon = 6.1601;
  request.address_string = "Ceintuurbaan 12, 7425 AB";
  request.description = "Zakken naast de container; zie https://x.example/admin/cases/12";
  request.lang = "ro";
  request.attributes = {{"fraction", "glas & papier"}};
  const auto call = o311::render_post(request, client);
  CHECK(call.method == "POST");
  CHECK(call.url == "https://signalen.example/open311/v2/requests.json");
  bool form_type = false;
  for (const auto& [name, value] : call.headers) {
    if (name == "Content-Type") form_type = value == "application/x-www-form-urlencoded";
  }
  CHECK(form_type);
  // The server side of this project parses it back to the same fields.
  auto form = o311::parse_form(call.body);
  REQUIRE(form);
  auto parsed = o311::parse_new_request(*form);
  REQUIRE(parsed);
  CHECK(parsed->api_key == "s3cr3t key");
  CHECK(parsed->jurisdiction_id == "deventer");
  CHECK(parsed->service_code == "afval");
  CHECK(*parsed->lat == doctest::Approx(52.2401));
  CHECK(*parsed->lon == doctest::Approx(6.1601));
  CHECK(parsed->address_string == "Ceintuurbaan 12, 7425 AB");
  CHECK(parsed->description == request.description);
  CHECK(parsed->lang == "ro");
  CHECK(parsed->attributes.at("fraction") == "glas & papier");
  CHECK(call.body.find("attribute%5Bfraction%5D=glas+%26+papier") != std::string::npos);
  // Without a point only the address is sent.
  o311::OutgoingRequest no_point;
  no_point.address_string = "Brink 1";
  const auto second = o311::render_post(no_point, {"http://h/x/", "k", "c", ""});
  CHECK(second.url == "http://h/x/requests.json");
  CHECK(second.body == "api_key=k&service_code=c&address_string=Brink+1");
}

TEST_CASE("open311 client: answers are classified and the service_request_id taken") {
  auto sent = o311::classify_post_response(
      {201, R"([{"service_request_id":"SIG-77","service_notice":""}])", {}});
  CHECK(sent.kind == SendOutcome::Kind::sent);
  CHECK(sent.provider_message_id == "SIG-77");
  auto numeric = o311::classify_post_response({200, R"([{"service_request_id":991}])", {}});
  CHECK(numeric.provider_message_id == "991");
  auto token = o311::classify_post_response({200, R"([{"token":"abc"}])", {}});
  CHECK(token.provider_message_id == "abc");
  CHECK(o311::classify_post_response({200, "not json", {}}).kind == SendOutcome::Kind::retry);
  auto forbidden =
      o311::classify_post_response({403, R"([{"code":403,"description":"bad api_key"}])", {}});
  CHECK(forbidden.kind == SendOutcome::Kind::permanent);
  CHECK(forbidden.reason.find("bad api_key") != std::string::npos);
  CHECK(o311::classify_post_response({400, "", {}}).kind == SendOutcome::Kind::permanent);
  CHECK(o311::classify_post_response({503, "", {}}).kind == SendOutcome::Kind::retry);
  auto throttled = o311::classify_post_response({429, "", std::chrono::seconds(7)});
  CHECK(throttled.kind == SendOutcome::Kind::throttled);
  CHECK(throttled.retry_after == std::chrono::seconds(7));
}
