// See clients.hpp.
#include "clients.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <stdexcept>

namespace buurtlijn::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {
asio::ip::tcp::endpoint loopback(std::uint16_t port) {
  return {asio::ip::make_address("127.0.0.1"), port};
}

// Runs the io_context until the operation completes or the timeout cancels it.
void run_for(asio::io_context& io, beast::tcp_stream& stream, std::chrono::milliseconds timeout) {
  io.restart();
  if (io.run_for(timeout) == 0 || !io.stopped()) {
    stream.cancel();
    io.restart();
    io.run();
  }
}
}  // namespace

HttpResult http_request(std::uint16_t port, http::verb method, const std::string& target,
                        const std::string& body,
                        const std::map<std::string, std::string>& headers) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(20));
  stream.connect(loopback(port));
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  // A server may answer (413, 429) and stop reading before the body is sent: the write
  // then fails, but the answer is there to read, as a browser or a provider would.
  beast::error_code write_error;
  http::write(stream, request, write_error);
  if (write_error && write_error != asio::error::broken_pipe &&
      write_error != asio::error::connection_reset) {
    throw beast::system_error(write_error);
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (method == http::verb::head) parser.skip(true);
  http::read(stream, buffer, parser);
  HttpResult result;
  result.status = parser.get().result_int();
  result.body = parser.get().body();
  for (const auto& field : parser.get()) {
    result.headers[std::string(field.name_string())] = std::string(field.value());
  }
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return result;
}

HttpResult http_get(std::uint16_t port, const std::string& target) {
  return http_request(port, http::verb::get, target);
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(loopback(port));
  stream.expires_after(timeout);
  std::string answer;
  asio::async_write(stream, asio::buffer(bytes), [](beast::error_code, std::size_t) {});
  auto buffer = asio::dynamic_buffer(answer);
  asio::async_read(stream, buffer, [](beast::error_code, std::size_t) {});
  io.run();
  return answer;
}

ChatClient::ChatClient(std::uint16_t port, const std::string& origin) : socket_(io_) {
  beast::get_lowest_layer(socket_).expires_after(std::chrono::seconds(20));
  beast::get_lowest_layer(socket_).connect(loopback(port));
  if (!origin.empty()) {
    socket_.set_option(websocket::stream_base::decorator(
        [origin](websocket::request_type& request) { request.set(http::field::origin, origin); }));
  }
  socket_.handshake("127.0.0.1:" + std::to_string(port), "/webchat/ws");
  beast::get_lowest_layer(socket_).expires_never();
}

void ChatClient::send_text(const std::string& frame) {
  socket_.text(true);
  socket_.write(asio::buffer(frame));
}

bool ChatClient::try_send_text(const std::string& frame) {
  socket_.text(true);
  beast::error_code error;
  socket_.write(asio::buffer(frame), error);
  return !error;
}

void ChatClient::send_binary(const std::string& bytes) {
  socket_.binary(true);
  socket_.write(asio::buffer(bytes));
}

void ChatClient::send_json(const boost::json::object& frame) {
  send_text(boost::json::serialize(frame));
}

std::optional<boost::json::object> ChatClient::read(std::chrono::milliseconds timeout) {
  beast::error_code error;
  bool done = false;
  socket_.async_read(buffer_, [&](beast::error_code ec, std::size_t) {
    error = ec;
    done = true;
  });
  run_for(io_, beast::get_lowest_layer(socket_), timeout);
  if (!done || error) {
    if (error == websocket::error::closed) {
      close_code_ = socket_.reason().code;
    } else if (done) {
      dropped_ = true;
    }
    return std::nullopt;
  }
  const std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  auto parsed = boost::json::parse(text);
  seen.push_back(parsed.as_object());
  return parsed.as_object();
}

boost::json::object ChatClient::read_until(const std::string& type,
                                           std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("no '" + type + "' frame in time");
    auto frame = read(left);
    if (!frame) throw std::runtime_error("socket closed before a '" + type + "' frame");
    if (frame->at("type").as_string() == type) return *frame;
  }
}

void ChatClient::close() {
  beast::error_code ignored;
  socket_.close(websocket::close_code::normal, ignored);
}

}  // namespace buurtlijn::testing
