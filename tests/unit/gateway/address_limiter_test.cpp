#include "gateway/address_limiter.hpp"

#include <doctest/doctest.h>

#include <string>

using buurtlijn::gateway::AddressLimiter;
using namespace std::chrono_literals;

TEST_CASE("each address gets its burst, then its rate, and learns how long to wait") {
  AddressLimiter limiter(2.0, 3.0);
  const auto start = std::chrono::steady_clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) CHECK_FALSE(limiter.allow("203.0.113.7", start).has_value());
  const auto wait = limiter.allow("203.0.113.7", start);
  REQUIRE(wait.has_value());
  CHECK(*wait == 1s);  // half a second to the next token, rounded up to whole seconds
  // Another address is not affected.
  CHECK_FALSE(limiter.allow("198.51.100.1", start).has_value());
  // Half a second later one token is back, and only one.
  CHECK_FALSE(limiter.allow("203.0.113.7", start + 500ms).has_value());
  CHECK(limiter.allow("203.0.113.7", start + 500ms).has_value());
}

TEST_CASE("a slow rate gives a longer Retry-After") {
  AddressLimiter limiter(0.1, 1.0);
  const auto start = std::chrono::steady_clock::time_point{} + 1h;
  CHECK_FALSE(limiter.allow("a", start).has_value());
  CHECK(limiter.allow("a", start) == std::optional<std::chrono::seconds>(10s));
}

TEST_CASE("memory stays bounded: quiet addresses are forgotten first") {
  AddressLimiter limiter(1.0, 2.0, 160);  // 10 per shard
  const auto start = std::chrono::steady_clock::time_point{} + 1h;
  for (int i = 0; i < 5'000; ++i) limiter.allow("10.0." + std::to_string(i), start);
  CHECK(limiter.tracked() <= 160);
  // A busy address keeps its empty bucket while quiet ones come and go: it is refused.
  AddressLimiter busy(1.0, 1.0, 16);
  busy.allow("busy", start);
  CHECK(busy.allow("busy", start).has_value());
}
