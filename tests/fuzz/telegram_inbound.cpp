// Telegram webhook: the fuzzed bytes are the update (with the right secret token header,
// so the JSON parser is reached); a second call offers them as the secret token header.
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.hpp"
#include "connectors/telegram/telegram.hpp"

// libFuzzer names the entry point.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  using namespace buurtlijn;
  static const connectors::telegram::Settings settings{.bot_token = "123:fuzz",
                                                       .secret_token = "fuzz-secret-token"};
  static const connectors::Headers headers{
      {"x-telegram-bot-api-secret-token", "fuzz-secret-token"}};
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  const auto parsed = connectors::telegram::parse_inbound(
      {.method = "POST", .target = "/webhooks/telegram", .headers = &headers, .body = bytes},
      settings);
  buurtlijn::fuzz::check_inbound(parsed);
  FUZZ_CHECK(parsed || parsed.error().kind != connectors::Refusal::Kind::unauthorized);

  const connectors::Headers wrong{{"x-telegram-bot-api-secret-token", std::string(bytes)}};
  const auto other = connectors::telegram::parse_inbound({.method = "POST",
                                                          .target = "/webhooks/telegram",
                                                          .headers = &wrong,
                                                          .body = R"({"update_id":1})"},
                                                         settings);
  buurtlijn::fuzz::check_inbound(other);
  FUZZ_CHECK(other.has_value() == (bytes == settings.secret_token));
  return 0;
}
