// Outbound HTTP for the outbox: many transfers on one libcurl multi handle, driven by
// one thread (no thread per send). The multi handle keeps a connection cache, so calls
// to the same provider reuse their connections. Each transfer has a whole-call timeout.
//
// Thread safety: everything but wakeup() must be called on the one thread that owns the
// client (the outbox worker); wakeup() may be called from any thread while the client
// exists, and interrupts a wait in run_once().
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/channel.hpp"

namespace buurtlijn::gateway {

// What a call produced. status 0 means no HTTP answer (transport error, timeout):
// `error` says which.
struct HttpResult {
  unsigned status = 0;
  std::string body;  // capped at kMaxResponseBytes
  std::optional<std::chrono::seconds> retry_after;
  std::string error;  // libcurl's description when status is 0
  // False when status is 0 and the request surely never left (no connection could be
  // made); true otherwise: a timeout or a reset may come after the provider had it.
  bool maybe_received = true;
  // start_download() only: the body passed its cap and the transfer was cut off there
  // (status 0, body incomplete).
  bool too_large = false;
};

// An e-mail handed to an SMTP server (smtp:// or smtps://): libcurl does the dialogue
// and the dot-stuffing. status 250 on success (the server's last reply code).
struct MailCall {
  std::string url;
  std::string mail_from;                // bare address
  std::vector<std::string> recipients;  // bare addresses
  std::string username;                 // empty: no authentication
  std::string password;
  std::string message;  // RFC 5322, CRLF line endings
};

class HttpClient {
 public:
  static constexpr std::size_t kMaxResponseBytes = 1024 * 1024;
  using Done = std::function<void(HttpResult)>;

  explicit HttpClient(std::chrono::milliseconds timeout);
  ~HttpClient();  // abandons transfers still running, without calling their `done`
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts `call`; `done` runs later on the owning thread, inside run_once().
  void start(const connectors::HttpCall& call, Done done);
  // Like start(), for a file: the body is kept up to `max_body` bytes, and the transfer
  // is aborted as soon as the announced length (Content-Length) or the bytes received go
  // past it (then too_large). `timeout` replaces the client's timeout for this call.
  void start_download(const connectors::HttpCall& call, std::size_t max_body,
                      std::chrono::milliseconds timeout, Done done);
  // Starts an SMTP transfer on the same multi handle; `done` as for start().
  void start_mail(const MailCall& call, Done done);
  // Waits up to `wait` for network activity or wakeup(), moves the transfers on and
  // completes the finished ones.
  void run_once(std::chrono::milliseconds wait);
  void wakeup();
  std::size_t in_flight() const { return transfers_.size(); }
  // Drops every running transfer without calling its `done`.
  void abandon_all();

 private:
  struct Transfer;
  struct MultiDeleter {
    void operator()(CURLM* multi) const noexcept { curl_multi_cleanup(multi); }
  };

  void begin(std::unique_ptr<Transfer> transfer, const connectors::HttpCall& call,
             std::chrono::milliseconds timeout);
  void complete_finished();
  void add(std::unique_ptr<Transfer> transfer);

  std::chrono::milliseconds timeout_;
  std::unique_ptr<CURLM, MultiDeleter> multi_;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers_;
};

}  // namespace buurtlijn::gateway
