// Messages per subject (a person on one channel, by pseudonym): a token bucket per
// pseudonym (`server.per_subject_per_minute`, `server.per_subject_burst`), applied after
// an inbound payload is parsed, so that one number or chat that floods cannot fill the
// store, the outbox and the Buurtmaker's inbox. The per-address limit (address_limiter.hpp)
// guards the HTTP door; this one guards the conversation: a provider sends every chat
// from the same few addresses.
//
// A webhook message over the limit is acknowledged (200: a refusal would only make the
// provider retry) but not stored and not answered, and counted in /metrics as
// buurtlijn_refused_total{channel, reason="subject_rate_limited"} (docs/security.md).
// The web chat answers such a frame with its "rate_limited" error.
//
// Thread-safe (AddressLimiter's sharded buckets); memory bounded by `max_subjects`.
#pragma once

#include <cstddef>
#include <string_view>

#include "gateway/address_limiter.hpp"

namespace buurtlijn::gateway {

struct App;

class SubjectLimiter {
 public:
  // per_minute == 0: no limit.
  SubjectLimiter(unsigned per_minute, unsigned burst, std::size_t max_subjects = 100'000);

  // true: the message may go on (a token was taken).
  bool admit(std::string_view pseudonym, SteadyTime now);
  std::size_t tracked() const { return buckets_.tracked(); }

 private:
  AddressLimiter buckets_;
};

// The webhooks' check: true when the subject's message may go on; otherwise counts it as
// refused for `channel`.
bool admit_subject_message(App& app, std::string_view channel, std::string_view pseudonym);

}  // namespace buurtlijn::gateway
