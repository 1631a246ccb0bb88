// Loopback clients for the integration tests: plain HTTP, raw bytes, and a web chat
// WebSocket client. Blocking calls with timeouts, so a failing server fails a test
// instead of hanging it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace buurtlijn::testing {

struct HttpResult {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
};

HttpResult http_get(std::uint16_t port, const std::string& target);
HttpResult http_request(std::uint16_t port, boost::beast::http::verb method,
                        const std::string& target, const std::string& body = {},
                        const std::map<std::string, std::string>& headers = {});
// Sends raw bytes, returns everything the server answers until it closes or the timeout.
std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

class ChatClient {
 public:
  explicit ChatClient(std::uint16_t port, const std::string& origin = {});
  void send_json(const boost::json::object& frame);
  void send_text(const std::string& frame);
  // Like send_text, but a server that cuts the connection mid-frame is not an error.
  bool try_send_text(const std::string& frame);
  void send_binary(const std::string& bytes);
  // The next frame as JSON; nullopt when the socket closed or nothing came in time.
  std::optional<boost::json::object> read(
      std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Reads frames until one has "type" == type (others are kept in `seen`).
  boost::json::object read_until(const std::string& type,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // The close code the server sent, after read() returned nullopt.
  std::optional<std::uint16_t> close_code() const { return close_code_; }
  // True when the connection ended without a close frame (reset, end of stream).
  bool dropped() const { return dropped_; }
  void close();

  std::vector<boost::json::object> seen;

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> socket_;
  boost::beast::flat_buffer buffer_;
  std::optional<std::uint16_t> close_code_;
  bool dropped_ = false;
};

}  // namespace buurtlijn::testing
