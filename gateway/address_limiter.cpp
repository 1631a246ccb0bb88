// See address_limiter.hpp.
#include "gateway/address_limiter.hpp"

#include <cmath>
#include <functional>

namespace buurtlijn::gateway {

AddressLimiter::AddressLimiter(double rate, double burst, std::size_t max_addresses)
    : rate_(rate),
      burst_(std::max(1.0, burst)),
      max_per_shard_(std::max<std::size_t>(1, max_addresses / kShards)) {}

std::optional<std::chrono::seconds> AddressLimiter::allow(std::string_view address,
                                                          SteadyTime now) {
  if (rate_ <= 0) return std::nullopt;
  Shard& shard = shards_[std::hash<std::string_view>{}(address) % kShards];
  std::lock_guard lock(shard.mutex);
  auto found = shard.buckets.find(std::string(address));
  if (found == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) prune(shard, now);
    found = shard.buckets.emplace(std::string(address), TokenBucket(rate_, burst_, now)).first;
  }
  if (found->second.try_take(now)) return std::nullopt;
  const double wait = std::chrono::duration<double>(found->second.next_token_at(now) - now).count();
  return std::chrono::seconds(std::max<long long>(1, std::llround(std::ceil(wait))));
}

std::size_t AddressLimiter::tracked() const {
  std::size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    total += shard.buckets.size();
  }
  return total;
}

// Forgets full buckets (quiet addresses: a new bucket would be the same); when every
// address is busy, forgets arbitrary ones until there is room, rather than growing
// without bound.
void AddressLimiter::prune(Shard& shard, SteadyTime now) const {
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    it = it->second.available(now) >= static_cast<std::int64_t>(burst_) ? shard.buckets.erase(it)
                                                                        : std::next(it);
  }
  for (auto it = shard.buckets.begin();
       shard.buckets.size() >= max_per_shard_ && it != shard.buckets.end();) {
    it = shard.buckets.erase(it);
  }
}

}  // namespace buurtlijn::gateway
