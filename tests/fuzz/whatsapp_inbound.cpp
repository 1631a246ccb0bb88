// WhatsApp webhook: the fuzzed bytes are the POST body, signed inside the target with
// the target's own app secret so that the JSON parser behind the signature check is
// reached; a cheap second call fuzzes the GET handshake's query string and a forged
// signature header with the same bytes.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "check.hpp"
#include "connectors/whatsapp/whatsapp.hpp"

namespace {

using namespace buurtlijn;

std::string sign(std::string_view body, std::string_view secret) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kDigits[digest[i] >> 4]);
    out.push_back(kDigits[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace

// libFuzzer names the entry point.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  static const connectors::whatsapp::Settings settings{.app_secret = "fuzz-app-secret",
                                                       .verify_token = "fuzz-verify-token",
                                                       .access_token = "token",
                                                       .phone_number_id = "1234"};
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // Signed POST: the parser proper.
  const connectors::Headers signed_headers{
      {"x-hub-signature-256", sign(bytes, settings.app_secret)}};
  const auto parsed = connectors::whatsapp::parse_inbound(
      {.method = "POST", .target = "/webhooks/whatsapp", .headers = &signed_headers, .body = bytes},
      settings);
  buurtlijn::fuzz::check_inbound(parsed);
  FUZZ_CHECK(parsed || parsed.error().kind != connectors::Refusal::Kind::unauthorized);

  // The same bytes as a signature header: never accepted (the real one is 71 bytes of hex).
  const connectors::Headers forged{{"x-hub-signature-256", std::string(bytes)}};
  const auto refused = connectors::whatsapp::parse_inbound(
      {.method = "POST", .target = "/webhooks/whatsapp", .headers = &forged, .body = "{}"},
      settings);
  FUZZ_CHECK(!refused && refused.error().kind == connectors::Refusal::Kind::unauthorized);

  // The verification handshake: the bytes as the query string.
  const std::string target = "/webhooks/whatsapp?" + std::string(bytes);
  const auto handshake =
      connectors::whatsapp::parse_inbound({.method = "GET", .target = target}, settings);
  buurtlijn::fuzz::check_inbound(handshake);
  if (handshake) {
    FUZZ_CHECK(handshake->reply_body && !handshake->reply_body->empty());
    FUZZ_CHECK(target.find("fuzz-verify-token") != std::string::npos ||
               target.find('%') != std::string::npos);
  }
  return 0;
}
