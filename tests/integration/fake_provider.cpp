// See fake_provider.hpp. Blocking Beast I/O, one thread per connection (a handful: the
// outbox reuses its connections); stopping shuts every socket down to end blocked reads.
#include "fake_provider.hpp"

#include <sys/socket.h>

#include <array>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <cstdio>

namespace buurtlijn::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void fill_from_body(RecordedRequest& request) {
  std::error_code error;
  const json::value parsed = json::parse(request.body, error);
  if (error || !parsed.is_object()) return;
  const json::object& body = parsed.get_object();
  const auto text_of = [](const json::value* value) -> std::string {
    if (value == nullptr) return {};
    if (value->is_string()) return std::string(value->get_string());
    if (value->is_int64()) return std::to_string(value->get_int64());
    return {};
  };
  request.to = text_of(body.if_contains("to"));
  if (request.to.empty()) request.to = text_of(body.if_contains("chat_id"));
  request.reference = text_of(body.if_contains("biz_opaque_callback_data"));
  request.text = text_of(body.if_contains("text"));
  if (const json::value* text = body.if_contains("text"); text != nullptr && text->is_object()) {
    request.text = text_of(text->get_object().if_contains("body"));
  }
  if (const json::value* interactive = body.if_contains("interactive");
      interactive != nullptr && interactive->is_object()) {
    if (const json::value* inner = interactive->get_object().if_contains("body");
        inner != nullptr && inner->is_object()) {
      request.text = text_of(inner->get_object().if_contains("text"));
    }
  }
}

}  // namespace

FakeProvider::FakeProvider() : acceptor_(io_) {
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
  acceptor_thread_ = std::thread([this] { accept_loop(); });
}

FakeProvider::~FakeProvider() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
    for (const auto& socket : sockets_) ::shutdown(socket->native_handle(), SHUT_RDWR);
    changed_.notify_all();
  }
  ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
  acceptor_thread_.join();
  std::vector<std::thread> connections;
  {
    const std::lock_guard lock(mutex_);
    connections.swap(connections_);
  }
  for (std::thread& thread : connections) thread.join();
}

void FakeProvider::accept_loop() {
  for (;;) {
    auto socket = std::make_shared<asio::ip::tcp::socket>(io_);
    boost::system::error_code error;
    acceptor_.accept(*socket, error);
    const std::lock_guard lock(mutex_);
    if (error || stopping_) return;
    sockets_.push_back(socket);
    connections_.emplace_back([this, socket] { serve(socket); });
  }
}

void FakeProvider::set_responder(Responder responder) {
  const std::lock_guard lock(mutex_);
  responder_ = std::move(responder);
}

std::vector<RecordedRequest> FakeProvider::requests() const {
  const std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<StreamRecord> FakeProvider::streams() const {
  const std::lock_guard lock(mutex_);
  return streams_;
}

bool FakeProvider::stream(asio::ip::tcp::socket& socket, const std::string& target,
                          std::size_t bytes) {
  std::size_t index = 0;
  {
    const std::lock_guard lock(mutex_);
    index = streams_.size();
    streams_.push_back(StreamRecord{target, 0, false, false});
  }
  const auto record = [&](std::size_t written, bool completed) {
    const std::lock_guard lock(mutex_);
    streams_[index].bytes_written = written;
    streams_[index].completed = completed;
    streams_[index].finished = true;
    changed_.notify_all();
  };
  boost::system::error_code error;
  asio::write(socket,
              asio::buffer(std::string_view("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n"
                                            "Transfer-Encoding: chunked\r\n\r\n")),
              error);
  if (error) {
    record(0, false);
    return false;
  }
  constexpr std::size_t kChunk = 64 * 1024;
  std::string chunk(kChunk, '\0');
  chunk.replace(0, 4, "\xFF\xD8\xFF\xE0");
  std::size_t written = 0;
  while (written < bytes) {
    const std::size_t size = std::min(kChunk, bytes - written);
    char head[32];
    const int head_size = std::snprintf(head, sizeof head, "%zx\r\n", size);
    const std::array<asio::const_buffer, 3> parts{asio::buffer(head, std::size_t(head_size)),
                                                  asio::buffer(chunk.data(), size),
                                                  asio::buffer("\r\n", 2)};
    asio::write(socket, parts, error);
    if (error) {
      record(written, false);
      return false;
    }
    written += size;
    {
      const std::lock_guard lock(mutex_);
      streams_[index].bytes_written = written;
    }
  }
  asio::write(socket, asio::buffer(std::string_view("0\r\n\r\n")), error);
  record(written, !error);
  return !error;
}

bool FakeProvider::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

FakeAnswer FakeProvider::answer_for(RecordedRequest& request) {
  std::unique_lock lock(mutex_);
  const int repeat = repeats_[request.to + "\n" + request.text]++;
  requests_.push_back(request);
  changed_.notify_all();
  Responder responder = responder_;
  const std::uint64_t id = next_id_++;
  lock.unlock();
  FakeAnswer answer = responder ? responder(request, repeat) : FakeAnswer{};
  if (answer.body.empty() && answer.status == 200) {
    answer.body = request.target.find("/sendMessage") != std::string::npos
                      ? R"({"ok":true,"result":{"message_id":)" + std::to_string(id) + "}}"
                      : R"({"messaging_product":"whatsapp","contacts":[{"input":")" + request.to +
                            R"("}],"messages":[{"id":"wamid.FAKE)" + std::to_string(id) + "\"}]}";
  }
  return answer;
}

void FakeProvider::serve(std::shared_ptr<asio::ip::tcp::socket> socket) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> request;
    boost::system::error_code error;
    http::read(*socket, buffer, request, error);
    if (error) return;
    RecordedRequest recorded;
    recorded.at = std::chrono::steady_clock::now();
    recorded.method = std::string(request.method_string());
    recorded.target = std::string(request.target());
    for (const auto& field : request) {
      recorded.headers[lower(std::string(field.name_string()))] = std::string(field.value());
    }
    recorded.body = request.body();
    fill_from_body(recorded);
    const FakeAnswer answer = answer_for(recorded);
    if (answer.stream_bytes > 0) {
      if (!stream(*socket, recorded.target, answer.stream_bytes)) return;
      continue;
    }
    if (answer.hang || answer.delay.count() > 0) {
      std::unique_lock lock(mutex_);
      if (answer.hang) {
        changed_.wait(lock, [this] { return stopping_; });
        return;
      }
      if (changed_.wait_for(lock, answer.delay, [this] { return stopping_; })) return;
    }
    if (answer.reset) {
      const std::lock_guard lock(mutex_);  // ~FakeProvider reads the handle under it
      socket->set_option(asio::socket_base::linger(true, 0), error);
      socket->close(error);  // with linger 0: RST, not FIN
      return;
    }
    if (!answer.raw.empty()) {
      asio::write(*socket, asio::buffer(answer.raw), error);
      socket->shutdown(asio::ip::tcp::socket::shutdown_both, error);
      return;
    }
    http::response<http::string_body> response(static_cast<http::status>(answer.status),
                                               request.version());
    response.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : answer.headers) response.set(name, value);
    response.body() = answer.body;
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    http::write(*socket, response, error);
    if (error || !response.keep_alive()) return;
  }
}

}  // namespace buurtlijn::testing
