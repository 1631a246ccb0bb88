// Requests per client address: a token bucket per address (a steady rate with a burst),
// so that one address cannot exhaust the server for everyone else. A refused request
// learns how long to wait (for Retry-After). Memory is bounded: when more than
// `max_addresses` are tracked, the buckets that have filled up again (addresses that
// went quiet) are forgotten first. Thread-safe: the buckets are split over shards, each
// with its own mutex, so the I/O threads rarely wait for each other.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/token_bucket.hpp"

namespace buurtlijn::gateway {

class AddressLimiter {
 public:
  // rate <= 0: no limit (allow() always says yes).
  AddressLimiter(double rate, double burst, std::size_t max_addresses = 100'000);

  // nullopt: allowed (a token was taken). Otherwise the whole seconds (>= 1) after which
  // a token will be there.
  std::optional<std::chrono::seconds> allow(std::string_view address, SteadyTime now);
  std::size_t tracked() const;

 private:
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, TokenBucket> buckets;
  };
  static constexpr std::size_t kShards = 16;

  void prune(Shard& shard, SteadyTime now) const;

  double rate_;
  double burst_;
  std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace buurtlijn::gateway
