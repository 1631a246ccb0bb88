// One web chat WebSocket: reads frames in order on its strand, turns each into a
// committed conversation turn, acknowledges it only after the commit, and writes the
// bot's replies (queued writes: one async_write at a time, as Beast requires).
// Thread-safety: public methods may be called from any thread; they post to the strand.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "connectors/webchat/webchat_frames.hpp"
#include "dialogs/engine.hpp"
#include "gateway/http_responses.hpp"

namespace buurtlijn::gateway {

struct App;

// Frames per socket: `burst` at once, then `per_second` on average (token bucket).
class FrameRateLimit {
 public:
  FrameRateLimit(double per_second, unsigned burst);
  bool allow(std::chrono::steady_clock::time_point now);

 private:
  double per_second_;
  double capacity_;
  double tokens_;
  std::chrono::steady_clock::time_point last_{};
};

class WebchatSession : public std::enable_shared_from_this<WebchatSession> {
 public:
  WebchatSession(App& app, boost::beast::tcp_stream stream);
  // Completes the upgrade for `request` and runs until the socket closes.
  void start(Request request);
  void send(std::string frame);
  void close_going_away();

 private:
  boost::asio::awaitable<void> run(Request request);
  boost::asio::awaitable<void> handle(std::string_view frame);
  boost::asio::awaitable<void> greet(const connectors::webchat::Hello& hello);
  boost::asio::awaitable<void> take_turn(std::string client_id, std::string text,
                                         dialogs::InboundEvent event);
  void deliver_undelivered();
  void mark_received(const connectors::webchat::Received& received);
  void refuse(const connectors::webchat::FrameError& error, std::string_view reason);
  void write_next();
  // Closes once every queued frame is written (an error frame must reach the page
  // before the close that follows it).
  void close_after_writes(const boost::beast::websocket::close_reason& reason);

  App& app_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> socket_;
  std::deque<std::string> writes_;
  bool closing_ = false;  // no frames are queued after a close was asked for
  std::optional<boost::beast::websocket::close_reason> close_reason_;
  std::string pseudonym_;  // empty until "hello"
  std::int64_t conversation_id_ = 0;
  std::string language_;
  std::string page_language_;  // the page's language before the conversation has one
  FrameRateLimit rate_limit_;
  unsigned refused_in_a_row_ = 0;
};

}  // namespace buurtlijn::gateway
