// Runs the store's retention (store::Store::apply_retention, the reports' and the closed
// cases' anonymisation: store/case_anonymise.hpp) inside `buurtlijn serve`,
// and deletes daily log files past log.retention_days when logs go to a directory:
// once shortly after start, then every `retention.interval`, and again at once while a
// run reports that a kind had more rows than one batch. Logs the counts (never what was
// deleted) and counts them in /metrics. A failed run is logged and retried at the next
// interval. Thread-safety: lives on the server's io_context; stop() from the same loop.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gateway/config.hpp"
#include "gateway/metrics.hpp"
#include "store/case_anonymise.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

class RetentionWorker {
 public:
  RetentionWorker(boost::asio::io_context& io, store::Store& store, const Config& config,
                  Metrics& metrics);
  void start();
  void stop();

 private:
  void schedule(std::chrono::milliseconds delay);
  void run();
  void finished(const store::Result<store::RetentionOutcome>& outcome);
  void purged(const store::Result<std::int64_t>& reports);
  // Deletes the files of the photos past retention, then unreferenced ones.
  void photos_expired(const store::Result<std::vector<std::string>>& photos);
  void anonymised(const store::Result<store::CaseAnonymisation>& cases);

  boost::asio::io_context& io_;
  store::Store& store_;
  store::RetentionPolicy policy_;
  std::chrono::milliseconds interval_;
  std::int64_t report_age_ms_;  // reports of cases closed longer ago are anonymised
  std::int64_t photo_age_ms_;   // photos of reports made longer ago are deleted
  std::filesystem::path photos_dir_;
  std::int64_t case_age_ms_;   // cases closed longer ago lose place and person
  std::string log_directory_;  // daily log files to prune; empty when logging to stdout
  unsigned log_retention_days_;
  Metrics& metrics_;
  std::shared_ptr<boost::asio::steady_timer> timer_;
  std::shared_ptr<bool> stopped_ = std::make_shared<bool>(false);
};

// The store's policy from the configuration.
store::RetentionPolicy retention_policy(const RetentionConfig& config);

}  // namespace buurtlijn::gateway
