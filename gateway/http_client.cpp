// See http_client.hpp. libcurl's multi interface with curl_multi_poll/curl_multi_wakeup
// (libcurl >= 7.68). One easy handle per transfer, RAII throughout.
#include "gateway/http_client.hpp"

#include <cctype>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace buurtlijn::gateway {

namespace {

struct EasyDeleter {
  void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};

// curl_global_init is not thread-safe on old libcurl: do it once.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

struct HttpClient::Transfer {
  std::unique_ptr<CURL, EasyDeleter> easy;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  HttpResult result;
  bool truncated = false;
  Done done;
  std::unique_ptr<curl_slist, SlistDeleter> recipients;  // SMTP only
  std::string upload;                                    // SMTP only: the message
  std::size_t uploaded = 0;
  std::size_t max_body = kMaxResponseBytes;
  bool abort_past_cap = false;  // downloads: cut off instead of reading on

  static std::size_t on_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Transfer*>(user);
    const std::size_t bytes =
        std::min(size * count, self->upload.size() - std::min(self->uploaded, self->upload.size()));
    self->upload.copy(buffer, bytes, self->uploaded);
    self->uploaded += bytes;
    return bytes;
  }

  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Transfer*>(user);
    const std::size_t bytes = size * count;
    const std::size_t room = self->max_body - std::min(self->max_body, self->result.body.size());
    if (bytes > room && self->abort_past_cap) {
      self->result.too_large = true;
      return 0;  // libcurl aborts the transfer (CURLE_WRITE_ERROR)
    }
    if (bytes > room) self->truncated = true;
    self->result.body.append(data, std::min(bytes, room));
    return bytes;  // keep reading (and dropping) past the cap: the status still counts
  }

  // Retry-After in seconds, from any answer (WhatsApp sends it with a 400 and a
  // throttling code too; libcurl's CURLINFO_RETRY_AFTER only looks at some statuses).
  static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<Transfer*>(user);
    const std::size_t bytes = size * count;
    constexpr std::string_view kName = "retry-after:";
    const std::string_view line(data, bytes);
    if (line.size() > kName.size()) {
      bool match = true;
      for (std::size_t i = 0; i < kName.size() && match; ++i) {
        match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
      }
      if (match) {
        const std::string value(line.substr(kName.size()));
        char* end = nullptr;
        const long long seconds = std::strtoll(value.c_str(), &end, 10);
        if (end != value.c_str() && seconds > 0 && seconds < 86'400) {
          self->result.retry_after = std::chrono::seconds(seconds);
        }
      }
    }
    return bytes;
  }
};

HttpClient::HttpClient(std::chrono::milliseconds timeout) : timeout_(timeout) {
  init_curl_once();
  multi_.reset(curl_multi_init());
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
}

HttpClient::~HttpClient() {
  abandon_all();
}

void HttpClient::start_download(const connectors::HttpCall& call, std::size_t max_body,
                                std::chrono::milliseconds timeout, Done done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->done = std::move(done);
  transfer->max_body = max_body;
  transfer->abort_past_cap = true;
  begin(std::move(transfer), call, timeout);
}

void HttpClient::start(const connectors::HttpCall& call, Done done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->done = std::move(done);
  begin(std::move(transfer), call, timeout_);
}

void HttpClient::begin(std::unique_ptr<Transfer> transfer, const connectors::HttpCall& call,
                       std::chrono::milliseconds timeout) {
  transfer->easy.reset(curl_easy_init());
  CURL* easy = transfer->easy.get();
  if (easy == nullptr) {
    transfer->result.error = "curl_easy_init failed";
    auto finish = std::move(transfer->done);
    finish(std::move(transfer->result));
    return;
  }
  curl_slist* headers = nullptr;
  for (const auto& [name, value] : call.headers) {
    std::string line = name;
    line.append(": ").append(value);
    curl_slist* appended = curl_slist_append(headers, line.c_str());
    if (appended != nullptr) headers = appended;
  }
  // Without this libcurl sends "Expect: 100-continue" for larger bodies and waits.
  if (curl_slist* appended = curl_slist_append(headers, "Expect:")) headers = appended;
  transfer->headers.reset(headers);

  curl_easy_setopt(easy, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<std::int64_t>(timeout.count(), 10'000)));
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  if (transfer->abort_past_cap) {
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(transfer->max_body));
  }
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
  if (call.method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
    curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, call.body.c_str());
  } else if (call.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  if (const CURLMcode added = curl_multi_add_handle(multi_.get(), easy); added != CURLM_OK) {
    transfer->result.error = curl_multi_strerror(added);
    auto finish = std::move(transfer->done);
    finish(std::move(transfer->result));
    return;
  }
  transfers_.emplace(easy, std::move(transfer));
}

void HttpClient::start_mail(const MailCall& call, Done done) {
  auto transfer = std::make_unique<Transfer>();
  transfer->done = std::move(done);
  transfer->easy.reset(curl_easy_init());
  CURL* easy = transfer->easy.get();
  if (easy == nullptr) {
    transfer->result.error = "curl_easy_init failed";
    transfer->result.maybe_received = false;
    auto finish = std::move(transfer->done);
    finish(std::move(transfer->result));
    return;
  }
  curl_slist* recipients = nullptr;
  for (const std::string& recipient : call.recipients) {
    if (curl_slist* appended = curl_slist_append(recipients, recipient.c_str())) {
      recipients = appended;
    }
  }
  transfer->recipients.reset(recipients);
  transfer->upload = call.message;
  curl_easy_setopt(easy, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(easy, CURLOPT_MAIL_FROM, call.mail_from.c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, recipients);
  if (!call.username.empty()) {
    curl_easy_setopt(easy, CURLOPT_USERNAME, call.username.c_str());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, call.password.c_str());
    // Never send the password in clear text over smtp:// to a remote host.
    curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
  }
  curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE,
                   static_cast<curl_off_t>(transfer->upload.size()));
  curl_easy_setopt(easy, CURLOPT_READFUNCTION, &Transfer::on_upload);
  curl_easy_setopt(easy, CURLOPT_READDATA, transfer.get());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<std::int64_t>(timeout_.count(), 10'000)));
  curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
  add(std::move(transfer));
}

void HttpClient::add(std::unique_ptr<Transfer> transfer) {
  CURL* easy = transfer->easy.get();
  if (const CURLMcode added = curl_multi_add_handle(multi_.get(), easy); added != CURLM_OK) {
    transfer->result.error = curl_multi_strerror(added);
    transfer->result.maybe_received = false;
    auto finish = std::move(transfer->done);
    finish(std::move(transfer->result));
    return;
  }
  transfers_.emplace(easy, std::move(transfer));
}

void HttpClient::run_once(std::chrono::milliseconds wait) {
  int running = 0;
  curl_multi_perform(multi_.get(), &running);
  complete_finished();
  int ready = 0;
  curl_multi_poll(multi_.get(), nullptr, 0,
                  static_cast<int>(std::max<std::int64_t>(0, wait.count())), &ready);
  curl_multi_perform(multi_.get(), &running);
  complete_finished();
}

void HttpClient::complete_finished() {
  int left = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &left)) {
    if (message->msg != CURLMSG_DONE) continue;
    CURL* easy = message->easy_handle;
    const CURLcode code = message->data.result;
    auto found = transfers_.find(easy);
    if (found == transfers_.end()) continue;
    std::unique_ptr<Transfer> transfer = std::move(found->second);
    transfers_.erase(found);
    curl_multi_remove_handle(multi_.get(), easy);
    if (code == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      transfer->result.status = static_cast<unsigned>(status);
    } else {
      transfer->result.status = 0;
      transfer->result.error = curl_easy_strerror(code);
      if (code == CURLE_FILESIZE_EXCEEDED) transfer->result.too_large = true;
      transfer->result.maybe_received =
          code != CURLE_COULDNT_CONNECT && code != CURLE_COULDNT_RESOLVE_HOST &&
          code != CURLE_COULDNT_RESOLVE_PROXY && code != CURLE_SSL_CONNECT_ERROR;
    }
    auto finish = std::move(transfer->done);
    finish(std::move(transfer->result));
  }
}

void HttpClient::wakeup() {
  curl_multi_wakeup(multi_.get());
}

void HttpClient::abandon_all() {
  for (auto& [easy, transfer] : transfers_) curl_multi_remove_handle(multi_.get(), easy);
  transfers_.clear();
}

}  // namespace buurtlijn::gateway
