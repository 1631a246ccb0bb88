// See retention_worker.hpp.
#include "gateway/retention_worker.hpp"

#include <boost/asio/post.hpp>
#include <chrono>
#include <utility>

#include "gateway/log.hpp"
#include "gateway/photo_files.hpp"
#include "store/case_store.hpp"

namespace buurtlijn::gateway {

namespace {
constexpr std::int64_t kDayMillis = 24LL * 3600 * 1000;
// After start: soon, but not in the middle of the first burst of traffic.
constexpr std::chrono::milliseconds kFirstRunDelay{2'000};
// While a run finds more than one batch: a short pause, so others get the writer.
constexpr std::chrono::milliseconds kMoreDelay{200};
// A photo file nobody references is deleted once it is this old: a younger one may
// belong to a media job that has not committed its reference yet.
constexpr std::chrono::seconds kUnreferencedPhotoAge{900};

store::Millis now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

store::RetentionPolicy retention_policy(const RetentionConfig& config) {
  store::RetentionPolicy policy;
  policy.message_text_age = static_cast<std::int64_t>(config.message_days) * kDayMillis;
  policy.contact_idle_age = static_cast<std::int64_t>(config.contact_idle_days) * kDayMillis;
  policy.batch_rows = config.batch_rows;
  return policy;
}

RetentionWorker::RetentionWorker(boost::asio::io_context& io, store::Store& store,
                                 const Config& config, Metrics& metrics)
    : io_(io),
      store_(store),
      policy_(retention_policy(config.retention)),
      interval_(config.retention.interval),
      report_age_ms_(static_cast<std::int64_t>(config.retention.report_days) * kDayMillis),
      photo_age_ms_(static_cast<std::int64_t>(config.retention.photo_days) * kDayMillis),
      photos_dir_(photos_dir(config.store.data_dir)),
      case_age_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::years(config.retention.case_anonymise_years))
                       .count()),
      log_directory_(config.log.directory),
      log_retention_days_(config.log.retention_days),
      metrics_(metrics),
      timer_(std::make_shared<boost::asio::steady_timer>(io)) {}

void RetentionWorker::start() {
  schedule(std::min(kFirstRunDelay, interval_));
}

void RetentionWorker::stop() {
  *stopped_ = true;
  timer_->cancel();
}

void RetentionWorker::schedule(std::chrono::milliseconds delay) {
  if (*stopped_) return;
  timer_->expires_after(delay);
  timer_->async_wait([this, stopped = stopped_](boost::system::error_code error) {
    if (error || *stopped) return;
    run();
  });
}

void RetentionWorker::run() {
  const store::Millis now = now_millis();
  // The callbacks run on the writer thread: hop back onto the loop before touching us.
  store_.apply_retention(
      policy_, now, [this, stopped = stopped_](store::Result<store::RetentionOutcome> outcome) {
        boost::asio::post(io_, [this, stopped, outcome = std::move(outcome)] {
          if (!*stopped) finished(outcome);
        });
      });
  store_.cases().purge_closed_reports(
      now - report_age_ms_, [this, stopped = stopped_](store::Result<std::int64_t> reports) {
        boost::asio::post(io_, [this, stopped, reports = std::move(reports)] {
          if (!*stopped) purged(reports);
        });
      });
  store_.cases().expire_photos(
      now - photo_age_ms_,
      [this, stopped = stopped_](store::Result<std::vector<std::string>> photos) {
        boost::asio::post(io_, [this, stopped, photos = std::move(photos)] {
          if (!*stopped) photos_expired(photos);
        });
      });
  // A batch per run; a larger backlog (the first run on an old database) takes a few.
  store::anonymise_closed_cases(
      store_, now - case_age_ms_, static_cast<std::int64_t>(policy_.batch_rows),
      [this, stopped = stopped_](store::Result<store::CaseAnonymisation> cases) {
        boost::asio::post(io_, [this, stopped, cases = std::move(cases)] {
          if (!*stopped) anonymised(cases);
        });
      });
}

void RetentionWorker::photos_expired(const store::Result<std::vector<std::string>>& photos) {
  if (!photos) {
    metrics_.count_retention_failure();
    log::error("retention.photos_failed", {{"reason", photos.error().message}});
    return;
  }
  std::int64_t deleted = 0;
  for (const std::string& id : *photos) deleted += delete_photo(photos_dir_, id) ? 1 : 0;
  // Then the files whose report was anonymised, erased or never committed.
  if (auto referenced = store_.cases().referenced_photo_ids()) {
    deleted += sweep_photos(photos_dir_, *referenced, kUnreferencedPhotoAge);
  } else {
    log::error("retention.photos_failed", {{"reason", referenced.error().message}});
  }
  metrics_.count_retention("photos", deleted);
  if (deleted > 0) log::info("retention.photos_deleted", {{"photos", deleted}});
}

void RetentionWorker::anonymised(const store::Result<store::CaseAnonymisation>& cases) {
  if (!cases) {
    metrics_.count_retention_failure();
    log::error("retention.cases_failed", {{"reason", cases.error().message}});
    return;
  }
  metrics_.count_retention("cases_anonymised", cases->cases);
  if (cases->cases > 0) {
    log::info("retention.cases_anonymised",
              {{"cases", cases->cases}, {"reports", cases->reports}, {"events", cases->events}});
  }
}

void RetentionWorker::purged(const store::Result<std::int64_t>& reports) {
  if (!reports) {
    metrics_.count_retention_failure();
    log::error("retention.reports_failed", {{"reason", reports.error().message}});
    return;
  }
  metrics_.count_retention("reports", *reports);
  if (*reports > 0) log::info("retention.reports_anonymised", {{"reports", *reports}});
}

void RetentionWorker::finished(const store::Result<store::RetentionOutcome>& outcome) {
  if (!outcome) {
    metrics_.count_retention_failure();
    log::error("retention.failed", {{"reason", outcome.error().message}});
    schedule(interval_);
    return;
  }
  if (!log_directory_.empty()) {
    const std::size_t files =
        log::prune_files(log_directory_, log_retention_days_, std::chrono::system_clock::now());
    metrics_.count_retention("log_files", static_cast<std::int64_t>(files));
  }
  const store::RetentionOutcome& deleted = *outcome;
  const std::pair<const char*, std::int64_t> kinds[] = {
      {"messages", deleted.messages},
      {"outbox_items", deleted.outbox_items},
      {"dialog_states", deleted.dialog_states},
      {"contact_addresses", deleted.contact_addresses},
      {"subscribers", deleted.subscribers},
      {"subscription_events", deleted.subscription_events},
      {"admin_sessions", deleted.admin_sessions},
      {"handovers", deleted.handovers},
      {"farewell_subjects", deleted.farewells},
  };
  boost::json::object counts;
  std::int64_t total = 0;
  for (const auto& [kind, rows] : kinds) {
    metrics_.count_retention(kind, rows);
    counts[kind] = rows;
    total += rows;
  }
  if (total > 0) log::info("retention.deleted", std::move(counts));
  schedule(deleted.more ? kMoreDelay : interval_);
}

}  // namespace buurtlijn::gateway
