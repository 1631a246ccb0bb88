// Which web chat sockets are open, and for which conversation: replies committed to the
// outbox are pushed to every socket of their conversation (a user may have two tabs).
// Thread-safe: sessions attach and detach from their own strands.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace buurtlijn::gateway {

class WebchatSession;

class WebchatHub {
 public:
  void add(const std::shared_ptr<WebchatSession>& session);
  void remove(const WebchatSession* session);
  void attach(std::int64_t conversation_id, const WebchatSession* session);

  // Sends a frame to every open socket of the conversation.
  void deliver(std::int64_t conversation_id, const std::string& frame);
  // Closes every socket with "going away" (shutdown).
  void close_all();
  std::size_t size() const;

 private:
  struct Entry {
    std::weak_ptr<WebchatSession> session;
    std::int64_t conversation_id = 0;
  };
  std::vector<std::shared_ptr<WebchatSession>> sessions_of(std::int64_t conversation_id) const;

  mutable std::mutex mutex_;
  std::unordered_map<const WebchatSession*, Entry> sessions_;
};

}  // namespace buurtlijn::gateway
