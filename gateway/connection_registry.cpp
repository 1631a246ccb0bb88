// See connection_registry.hpp.
#include "gateway/connection_registry.hpp"

#include <vector>

namespace buurtlijn::gateway {

std::uint64_t ConnectionRegistry::add(std::function<void()> close_if_idle) {
  const std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  closers_.emplace(id, std::move(close_if_idle));
  return id;
}

void ConnectionRegistry::remove(std::uint64_t id) {
  const std::lock_guard lock(mutex_);
  closers_.erase(id);
}

void ConnectionRegistry::close_idle_all() {
  std::vector<std::function<void()>> closers;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [id, closer] : closers_) closers.push_back(closer);
  }
  for (const auto& closer : closers) closer();
}

std::size_t ConnectionRegistry::size() const {
  const std::lock_guard lock(mutex_);
  return closers_.size();
}

}  // namespace buurtlijn::gateway
