// See token_bucket.hpp. Plain arithmetic over the injected clock; no shared state.
#include "gateway/token_bucket.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace buurtlijn::gateway {

namespace {
constexpr std::int64_t kUnlimited = std::numeric_limits<std::int32_t>::max();
}

TokenBucket::TokenBucket(double rate, double burst, SteadyTime now)
    : rate_(rate), burst_(std::max(1.0, burst)), tokens_(burst_), updated_(now) {}

void TokenBucket::refill(SteadyTime now) {
  if (now <= updated_) return;
  const double seconds = std::chrono::duration<double>(now - updated_).count();
  tokens_ = std::min(burst_, tokens_ + seconds * rate_);
  updated_ = now;
}

bool TokenBucket::try_take(SteadyTime now) {
  if (rate_ <= 0) return true;
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::int64_t TokenBucket::available(SteadyTime now) {
  if (rate_ <= 0) return kUnlimited;
  refill(now);
  return static_cast<std::int64_t>(std::floor(tokens_));
}

SteadyTime TokenBucket::next_token_at(SteadyTime now) {
  if (rate_ <= 0) return now;
  refill(now);
  if (tokens_ >= 1.0) return now;
  const auto wait = std::chrono::duration<double>((1.0 - tokens_) / rate_);
  return now + std::chrono::ceil<std::chrono::steady_clock::duration>(wait);
}

KeySpacing::KeySpacing(double rate) {
  if (rate > 0) {
    spacing_ = std::chrono::ceil<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(1.0 / rate));
  }
}

bool KeySpacing::allowed(std::int64_t key, SteadyTime now) const {
  return allowed_at(key, now) <= now;
}

SteadyTime KeySpacing::allowed_at(std::int64_t key, SteadyTime now) const {
  const auto found = next_.find(key);
  return found == next_.end() ? now : std::max(now, found->second);
}

void KeySpacing::record(std::int64_t key, SteadyTime now) {
  if (spacing_.count() == 0) return;
  next_[key] = now + spacing_;
}

void KeySpacing::prune(SteadyTime now) {
  std::erase_if(next_, [now](const auto& entry) { return entry.second <= now; });
}

std::chrono::milliseconds retry_delay(int attempts, std::chrono::milliseconds initial,
                                      std::chrono::milliseconds max,
                                      std::chrono::milliseconds retry_after, double random01) {
  const int doublings = std::clamp(attempts - 1, 0, 40);
  const double cap = std::min(static_cast<double>(max.count()),
                              static_cast<double>(initial.count()) * std::ldexp(1.0, doublings));
  const double jittered = std::clamp(random01, 0.0, 1.0) * cap;
  const auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(jittered));
  return std::max(delay, retry_after);
}

}  // namespace buurtlijn::gateway
