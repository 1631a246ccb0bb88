// What every fuzz target shares: an invariant check that stops the run with a message
// (libFuzzer then writes the input as a crash file), and the invariants of a connector's
// answer to an inbound request. Header only; no I/O except the message on failure.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "connectors/channel.hpp"
#include "connectors/webchat/webchat_frames.hpp"

#define FUZZ_CHECK(condition)                                                                      \
  do {                                                                                             \
    if (!(condition)) {                                                                            \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #condition, __FILE__, __LINE__); \
      std::abort();                                                                                \
    }                                                                                              \
  } while (false)

namespace buurtlijn::fuzz {

inline bool valid_utf8(std::string_view text) {
  return connectors::webchat::is_valid_utf8(text);
}

// A refusal always says why; a message event always has an address and its provider id
// (the deduplication key); every text handed on is valid UTF-8; a status names its message.
inline void check_inbound(const tl::expected<connectors::Inbound, connectors::Refusal>& result) {
  using namespace connectors;
  if (!result) {
    FUZZ_CHECK(!result.error().reason.empty());
    return;
  }
  for (const InboundEvent& event : result->events) {
    if (const auto* message = std::get_if<MessageEvent>(&event)) {
      FUZZ_CHECK(!message->address.empty());
      FUZZ_CHECK(!message->channel_message_id.empty());
      FUZZ_CHECK(valid_utf8(message->text));
      FUZZ_CHECK(valid_utf8(message->address));
      FUZZ_CHECK(valid_utf8(message->channel_message_id));
      FUZZ_CHECK(valid_utf8(message->choice_id));
      if (message->media) FUZZ_CHECK(valid_utf8(message->media->caption));
    } else if (const auto* status = std::get_if<StatusEvent>(&event)) {
      FUZZ_CHECK(!status->provider_message_id.empty());
      FUZZ_CHECK(valid_utf8(status->provider_message_id));
    } else if (const auto* opt_out = std::get_if<OptOutEvent>(&event)) {
      FUZZ_CHECK(!opt_out->address.empty());
      FUZZ_CHECK(valid_utf8(opt_out->address));
    }
  }
}

}  // namespace buurtlijn::fuzz
