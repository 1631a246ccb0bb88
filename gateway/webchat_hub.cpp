// See webchat_hub.hpp.
#include "gateway/webchat_hub.hpp"

#include "gateway/webchat_session.hpp"

namespace buurtlijn::gateway {

void WebchatHub::add(const std::shared_ptr<WebchatSession>& session) {
  const std::lock_guard lock(mutex_);
  sessions_[session.get()] = Entry{session, 0};
}

void WebchatHub::remove(const WebchatSession* session) {
  const std::lock_guard lock(mutex_);
  sessions_.erase(session);
}

void WebchatHub::attach(std::int64_t conversation_id, const WebchatSession* session) {
  const std::lock_guard lock(mutex_);
  auto entry = sessions_.find(session);
  if (entry != sessions_.end()) entry->second.conversation_id = conversation_id;
}

std::vector<std::shared_ptr<WebchatSession>> WebchatHub::sessions_of(
    std::int64_t conversation_id) const {
  std::vector<std::shared_ptr<WebchatSession>> found;
  const std::lock_guard lock(mutex_);
  for (const auto& [key, entry] : sessions_) {
    if (entry.conversation_id != conversation_id) continue;
    if (auto session = entry.session.lock()) found.push_back(std::move(session));
  }
  return found;
}

void WebchatHub::deliver(std::int64_t conversation_id, const std::string& frame) {
  // Send outside the lock: a session's send only posts to its strand.
  for (const auto& session : sessions_of(conversation_id)) session->send(frame);
}

void WebchatHub::close_all() {
  std::vector<std::shared_ptr<WebchatSession>> all;
  {
    const std::lock_guard lock(mutex_);
    for (const auto& [key, entry] : sessions_) {
      if (auto session = entry.session.lock()) all.push_back(std::move(session));
    }
  }
  for (const auto& session : all) session->close_going_away();
}

std::size_t WebchatHub::size() const {
  const std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace buurtlijn::gateway
