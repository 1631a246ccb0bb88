// Counters and histograms exported at GET /metrics in the Prometheus text format.
// Label values are bounded by construction (route names, channel names, status codes),
// never user input. Thread-safe: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace buurtlijn::gateway {

class Histogram {
 public:
  // Bucket upper bounds, ascending; the default suits latencies in seconds.
  explicit Histogram(std::vector<double> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1, 0.25, 0.5, 1.0, 2.5});
  void observe(double value);
  // Appends the _bucket, _sum and _count lines; `labels` is `a="b",` or empty.
  void render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> buckets_;  // one per bound, then +Inf
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

// Values read at scrape time from the parts that own them.
struct Gauges {
  std::int64_t outbox_depth = -1;  // -1: the store could not be read
  std::size_t open_connections = 0;
  std::size_t open_websockets = 0;
};

class Metrics {
 public:
  void observe_request(std::string_view route, unsigned status, double seconds);
  void count_inbound(std::string_view channel);
  void count_outbound(std::string_view channel);
  void count_refused(std::string_view channel, std::string_view reason);
  void observe_commit(std::size_t writes, double seconds, bool ok);

  std::string render(const Gauges& gauges) const;

  // The outbox worker. `result`: sent, retry, throttled, failed, dead (bounded set).
  void count_outbox_attempt(std::string_view channel, std::string_view result);
  // Items that reached a final state in this run: sent, failed, dead.
  void count_outbox_final(std::string_view channel, std::string_view state);
  // Items by state in the store, refreshed by the worker.
  void set_outbox_items(std::int64_t queued, std::int64_t inflight, std::int64_t failed,
                        std::int64_t dead);
  // The retention job: rows deleted by kind, and runs that failed.
  void count_retention(std::string_view kind, std::int64_t rows);
  void count_retention_failure();

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, unsigned>, std::uint64_t> requests_;
  std::map<std::string, Histogram> request_seconds_;
  std::map<std::string, std::uint64_t> inbound_;
  std::map<std::string, std::uint64_t> outbound_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> refused_;
  Histogram commit_batch_size_{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096}};
  Histogram commit_seconds_;
  std::uint64_t commit_failures_ = 0;

  void render_outbox(std::string& out) const;  // the mutex is held by render()
  std::map<std::pair<std::string, std::string>, std::uint64_t> outbox_attempts_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> outbox_final_;
  std::map<std::string, std::int64_t> outbox_items_;
  std::map<std::string, std::uint64_t> retention_rows_;
  std::uint64_t retention_failures_ = 0;
};

}  // namespace buurtlijn::gateway
