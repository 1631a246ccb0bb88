// A fake WhatsApp Cloud API / Telegram Bot API on a loopback port, for the outbox tests:
// it refuses nothing, records every request (with the time it arrived and what the
// outbox put in it), and answers as programmed per request: 200 with a provider id (the
// default), any status and body (500, 429 with retry_after, throttling codes, permanent
// errors), optionally after a delay, or never (hang until the fake stops), or with a
// reset connection or bytes that are not HTTP at all.
//
// Thread safety: every public method may be called from the test thread while the
// fake's threads (one acceptor, one per connection) serve requests.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace buurtlijn::testing {

struct RecordedRequest {
  std::chrono::steady_clock::time_point at;
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
  // From the body: WhatsApp "to" or Telegram "chat_id", the text, our reference
  // (WhatsApp biz_opaque_callback_data) when present.
  std::string to;
  std::string text;
  std::string reference;
};

struct FakeAnswer {
  unsigned status = 200;
  std::string body;  // empty: the provider's success body with a fresh id
  std::map<std::string, std::string> headers;
  std::chrono::milliseconds delay{0};
  bool hang = false;   // never answer (until the fake stops)
  bool reset = false;  // abort the connection (TCP reset) instead of answering
  std::string raw{};   // bytes written instead of an HTTP answer, then the connection closes
  // When above 0: a 200 whose body is this many bytes (starting with the JPEG magic),
  // streamed in chunked encoding without a Content-Length, 64 KiB at a time, until all
  // is written or the client closes the connection (see FakeProvider::streams()).
  std::size_t stream_bytes = 0;
};

// What became of a streamed answer.
struct StreamRecord {
  std::string target;
  std::size_t bytes_written = 0;  // body bytes the kernel accepted
  bool completed = false;         // every byte was written
  bool finished = false;          // the stream ended (completed or cut off)
};

class FakeProvider {
 public:
  // `responder` decides each answer from the request and the number of earlier requests
  // with the same `to` and `text` (0 for the first); null: always the default 200.
  using Responder = std::function<FakeAnswer(const RecordedRequest&, int repeat)>;

  FakeProvider();
  ~FakeProvider();
  FakeProvider(const FakeProvider&) = delete;
  FakeProvider& operator=(const FakeProvider&) = delete;

  std::uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void set_responder(Responder responder);
  std::vector<RecordedRequest> requests() const;
  std::vector<StreamRecord> streams() const;
  // Waits until at least `count` requests arrived; false after the timeout.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  void accept_loop();
  void serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket);
  FakeAnswer answer_for(RecordedRequest& request);
  // Writes a streamed answer (FakeAnswer::stream_bytes); false when the client went away.
  bool stream(boost::asio::ip::tcp::socket& socket, const std::string& target, std::size_t bytes);

  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopping_ = false;
  Responder responder_;
  std::vector<RecordedRequest> requests_;
  std::vector<StreamRecord> streams_;
  std::map<std::string, int> repeats_;
  std::uint64_t next_id_ = 1;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
  std::vector<std::thread> connections_;
  std::thread acceptor_thread_;
};

}  // namespace buurtlijn::testing
