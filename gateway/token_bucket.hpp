// Pacing for the outbox: a token bucket (a channel's overall rate with a burst) and a
// per-key spacing rule (Telegram's ~1 message per second per chat), plus the backoff
// delay between attempts. The clock is passed in (steady_clock time points), so tests
// drive time by hand. Not thread-safe: each instance belongs to the outbox worker thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <unordered_map>

namespace buurtlijn::gateway {

using SteadyTime = std::chrono::steady_clock::time_point;

class TokenBucket {
 public:
  // `rate` tokens per second, at most `burst` (>= 1) saved up; starts full. A rate of 0
  // or less means no limit.
  TokenBucket(double rate, double burst, SteadyTime now);

  // Takes one token when one is there; false (taking nothing) otherwise.
  bool try_take(SteadyTime now);
  // Whole tokens available now (a large number when unlimited).
  std::int64_t available(SteadyTime now);
  // When the next token will be there (`now` when one is there already).
  SteadyTime next_token_at(SteadyTime now);

 private:
  void refill(SteadyTime now);

  double rate_;
  double burst_;
  double tokens_;
  SteadyTime updated_;
};

// At most one send per key (a conversation) every 1/rate seconds; rate <= 0: no limit.
class KeySpacing {
 public:
  explicit KeySpacing(double rate);
  bool allowed(std::int64_t key, SteadyTime now) const;
  SteadyTime allowed_at(std::int64_t key, SteadyTime now) const;
  void record(std::int64_t key, SteadyTime now);
  // Forgets keys whose spacing has passed (bounded memory).
  void prune(SteadyTime now);
  std::size_t size() const { return next_.size(); }

 private:
  std::chrono::steady_clock::duration spacing_{};
  std::unordered_map<std::int64_t, SteadyTime> next_;
};

// The delay before attempt `attempts` + 1 after a failed attempt number `attempts`
// (>= 1): exponential backoff with full jitter, uniform in [0, min(max, initial *
// 2^(attempts-1))] (`random01` in [0, 1) chooses the point), but never less than the
// provider's retry_after.
std::chrono::milliseconds retry_delay(int attempts, std::chrono::milliseconds initial,
                                      std::chrono::milliseconds max,
                                      std::chrono::milliseconds retry_after, double random01);

}  // namespace buurtlijn::gateway
