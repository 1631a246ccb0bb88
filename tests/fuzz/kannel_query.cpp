// Kannel's sms-service and delivery-report callbacks: the fuzzed bytes are the query
// string. Each parser sees it twice: after the right secret (so the parameters behind the
// check are read: from, id, text, charset, ts, ref, type) and bare as the whole target.
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.hpp"
#include "connectors/kannel/kannel.hpp"

// libFuzzer names the entry point.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  using namespace buurtlijn;
  static const connectors::kannel::Settings settings{.callback_secret = "fuzz-callback-secret"};
  const std::string query(reinterpret_cast<const char*>(data), size);

  const std::string inbound_target = "/webhooks/kannel?secret=fuzz-callback-secret&" + query;
  const auto inbound =
      connectors::kannel::parse_inbound({.method = "GET", .target = inbound_target}, settings);
  buurtlijn::fuzz::check_inbound(inbound);
  if (inbound) FUZZ_CHECK(inbound->events.size() == 1);

  const std::string dlr_target = "/webhooks/kannel/dlr?secret=fuzz-callback-secret&" + query;
  const auto report =
      connectors::kannel::parse_delivery_report({.method = "GET", .target = dlr_target}, settings);
  buurtlijn::fuzz::check_inbound(report);
  if (report) FUZZ_CHECK(report->events.size() <= 1);

  // Bare: the bytes as the whole target. Accepted only with the secret in it.
  const auto bare = connectors::kannel::parse_inbound({.method = "GET", .target = query}, settings);
  buurtlijn::fuzz::check_inbound(bare);
  if (bare) FUZZ_CHECK(query.find("secret=") != std::string::npos);
  const auto bare_report =
      connectors::kannel::parse_delivery_report({.method = "GET", .target = query}, settings);
  buurtlijn::fuzz::check_inbound(bare_report);
  return 0;
}
