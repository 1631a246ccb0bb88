// The outbox's pacing and retry arithmetic with a hand-driven clock: the token bucket,
// per-chat spacing and the backoff with full jitter.
#include <doctest/doctest.h>

#include "gateway/token_bucket.hpp"

using namespace buurtlijn::gateway;
using std::chrono::milliseconds;

namespace {
const SteadyTime kStart{std::chrono::hours(1)};
}

TEST_CASE("token bucket: a burst, then the rate") {
  TokenBucket bucket(50.0, 5, kStart);
  CHECK(bucket.available(kStart) == 5);
  for (int i = 0; i < 5; ++i) CHECK(bucket.try_take(kStart));
  CHECK_FALSE(bucket.try_take(kStart));
  CHECK(bucket.next_token_at(kStart) == kStart + milliseconds(20));
  CHECK_FALSE(bucket.try_take(kStart + milliseconds(19)));
  CHECK(bucket.try_take(kStart + milliseconds(20)));
  // Over one second at 50/s: 50 more tokens, never more than the burst at once.
  int taken = 0;
  for (int ms = 21; ms <= 1020; ++ms) {
    while (bucket.try_take(kStart + milliseconds(ms))) ++taken;
  }
  CHECK(taken == 50);
  CHECK(bucket.available(kStart + std::chrono::hours(1)) == 5);
}

TEST_CASE("token bucket: fractional rates and no limit") {
  TokenBucket slow(0.5, 1, kStart);
  CHECK(slow.try_take(kStart));
  CHECK_FALSE(slow.try_take(kStart + milliseconds(1999)));
  CHECK(slow.try_take(kStart + milliseconds(2000)));
  TokenBucket unlimited(0.0, 1, kStart);
  for (int i = 0; i < 1000; ++i) CHECK(unlimited.try_take(kStart));
  CHECK(unlimited.next_token_at(kStart) == kStart);
}

TEST_CASE("key spacing: one message per chat per second") {
  KeySpacing spacing(1.0);
  CHECK(spacing.allowed(7, kStart));
  spacing.record(7, kStart);
  CHECK_FALSE(spacing.allowed(7, kStart + milliseconds(999)));
  CHECK(spacing.allowed(8, kStart + milliseconds(1)));
  CHECK(spacing.allowed_at(7, kStart) == kStart + milliseconds(1000));
  CHECK(spacing.allowed(7, kStart + milliseconds(1000)));
  spacing.prune(kStart + milliseconds(1000));
  CHECK(spacing.size() == 0);
  KeySpacing none(0.0);
  none.record(7, kStart);
  CHECK(none.allowed(7, kStart));
}

TEST_CASE("backoff: exponential with full jitter, capped, never under retry_after") {
  const milliseconds initial(1000);
  const milliseconds max(60'000);
  const milliseconds none(0);
  struct Case {
    int attempts;
    double random;
    milliseconds retry_after;
    milliseconds expected;
  };
  const Case cases[] = {
      {1, 0.999999, none, milliseconds(999)},            // first retry: up to the initial backoff
      {1, 0.0, none, milliseconds(0)},                   // full jitter reaches zero
      {2, 0.5, none, milliseconds(1000)},                // [0, 2 s]
      {3, 0.5, none, milliseconds(2000)},                // [0, 4 s]
      {8, 0.5, none, milliseconds(30'000)},              // 128 s capped at 60 s
      {60, 1.0, none, milliseconds(60'000)},             // no overflow for large attempt counts
      {1, 0.1, milliseconds(5000), milliseconds(5000)},  // the provider's retry_after wins
      {8, 0.9, milliseconds(5000), milliseconds(54'000)},
  };
  for (const Case& c : cases) {
    CAPTURE(c.attempts);
    CAPTURE(c.random);
    CHECK(retry_delay(c.attempts, initial, max, c.retry_after, c.random) == c.expected);
  }
}
