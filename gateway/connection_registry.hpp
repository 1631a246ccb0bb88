// Open HTTP connections, so that shutdown can wake the idle ones (waiting for a next
// request on keep-alive) while busy ones finish their response. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace buurtlijn::gateway {

class ConnectionRegistry {
 public:
  // `close_if_idle` must be safe to call from any thread (it posts to its strand).
  std::uint64_t add(std::function<void()> close_if_idle);
  void remove(std::uint64_t id);
  void close_idle_all();
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::function<void()>> closers_;
};

}  // namespace buurtlijn::gateway
