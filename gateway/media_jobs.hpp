// Report photos fetched from WhatsApp and Telegram: the outbox's "media" channel. A chat
// report with a provider media id queues one "media" item in the same transaction as the
// report (store::NewReport::media); the outbox worker claims it like any other item and
// hands it here, never inside a webhook request. One job:
//  1. looks the media up at the provider (WhatsApp GET /{version}/{media-id}, Telegram
//     getFile), refusing a file_size above media.max_bytes at once;
//  2. checks the download URL against the channel's allow-list (media.*_hosts; https
//     only, plain http only towards a loopback fake when the API base is one), so that
//     no answer can make us fetch another host; redirects are never followed;
//  3. downloads with the cap enforced while the bytes stream in (the transfer is cut off
//     at the first byte past it);
//  4. sniffs the type from the bytes and strips the metadata (connectors/media/image.hpp);
//  5. writes the stripped photo to <data_dir>/photos/<random id> (gateway/photo_files.hpp)
//     and records "photo:<id>" on the report in place of the provider's id.
// A photo that is too large, not an image, corrupt, gone at the provider or on a host
// not allowed is final: the report is kept with "refused:<reason>" and the person who
// sent it gets one short message in the report's language (locales/cases, photo_*).
// Transport errors, 5xx and 429 are retried by the outbox's rules; when the attempts are
// used up the photo is refused as unavailable in the same way.
//
// Thread safety: lives on the outbox worker's thread and uses its HttpClient; callbacks
// run there too.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "gateway/config.hpp"
#include "gateway/http_client.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

inline constexpr std::string_view kMediaChannel = "media";

// True when photos are fetched: media.enabled and WhatsApp or Telegram configured.
bool media_jobs_enabled(const Config& config);

// What became of one attempt at a job.
struct MediaOutcome {
  enum class Kind {
    done,       // stored or refused for good: the item is finished ('sent')
    failed,     // the item itself is unusable (bad payload): 'failed'
    transient,  // try again by the outbox's rules; `answer` is the failed call
  };
  Kind kind = Kind::done;
  std::string reason;  // for logs
  HttpResult answer;   // transient only
};

class MediaJobs {
 public:
  MediaJobs(const Config& config, HttpClient& http, store::Store& store);
  MediaJobs(const MediaJobs&) = delete;
  MediaJobs& operator=(const MediaJobs&) = delete;

  // Starts the job of a claimed "media" item; `done` runs once, on the worker thread
  // (possibly before start() returns). `last_attempt`: a transient failure now refuses
  // the photo as unavailable instead of asking for a retry.
  void start(const store::ClaimedOutboxItem& item, bool last_attempt,
             std::function<void(MediaOutcome)> done);

 private:
  struct Job;
  void lookup_answered(const std::shared_ptr<Job>& job, HttpResult answer);
  void downloaded(const std::shared_ptr<Job>& job, HttpResult answer);
  void transient(const std::shared_ptr<Job>& job, HttpResult answer, std::string reason);
  // Records the end of the job on the report (and tells the sender when refused).
  void conclude(const std::shared_ptr<Job>& job, std::string photo_ref, std::string refusal,
                std::string reason);

  const Config& config_;
  HttpClient& http_;
  store::Store& store_;
};

}  // namespace buurtlijn::gateway
