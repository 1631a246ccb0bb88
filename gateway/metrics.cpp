// Prometheus text exposition; see metrics.hpp.
#include "gateway/metrics.hpp"

#include <cstdio>

#include "gateway/log.hpp"

namespace buurtlijn::gateway {
namespace {
std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(number(value)).append("\n");
}

std::string label(std::string_view key, std::string_view value) {
  return std::string(key) + "=\"" + std::string(value) + "\"";
}
}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  std::size_t index = 0;
  while (index < bounds_.size() && value > bounds_[index]) ++index;
  ++buckets_[index];
  sum_ += value;
  ++count_;
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  std::uint64_t cumulative = 0;
  const std::string prefix = labels.empty() ? "" : std::string(labels) + ",";
  for (std::size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += buckets_[i];
    sample(out, std::string(name) + "_bucket", prefix + label("le", number(bounds_[i])),
           static_cast<double>(cumulative));
  }
  cumulative += buckets_.back();
  sample(out, std::string(name) + "_bucket", prefix + label("le", "+Inf"),
         static_cast<double>(cumulative));
  sample(out, std::string(name) + "_sum", labels, sum_);
  sample(out, std::string(name) + "_count", labels, static_cast<double>(count_));
}

void Metrics::observe_request(std::string_view route, unsigned status, double seconds) {
  const std::lock_guard lock(mutex_);
  ++requests_[{std::string(route), status}];
  request_seconds_[std::string(route)].observe(seconds);
}

void Metrics::count_inbound(std::string_view channel) {
  const std::lock_guard lock(mutex_);
  ++inbound_[std::string(channel)];
}

void Metrics::count_outbound(std::string_view channel) {
  const std::lock_guard lock(mutex_);
  ++outbound_[std::string(channel)];
}

void Metrics::count_refused(std::string_view channel, std::string_view reason) {
  const std::lock_guard lock(mutex_);
  ++refused_[{std::string(channel), std::string(reason)}];
}

void Metrics::observe_commit(std::size_t writes, double seconds, bool ok) {
  const std::lock_guard lock(mutex_);
  commit_batch_size_.observe(static_cast<double>(writes));
  commit_seconds_.observe(seconds);
  if (!ok) ++commit_failures_;
}

std::string Metrics::render(const Gauges& gauges) const {
  const std::lock_guard lock(mutex_);
  std::string out;
  header(out, "buurtlijn_http_requests_total", "counter", "HTTP requests by route and status.");
  for (const auto& [key, count] : requests_) {
    sample(out, "buurtlijn_http_requests_total",
           label("route", key.first) + "," + label("status", std::to_string(key.second)),
           static_cast<double>(count));
  }
  header(out, "buurtlijn_http_request_duration_seconds", "histogram",
         "Time from a request's header read to its response ready to write.");
  for (const auto& [route, histogram] : request_seconds_) {
    histogram.render(out, "buurtlijn_http_request_duration_seconds", label("route", route));
  }
  header(out, "buurtlijn_inbound_messages_total", "counter",
         "Inbound messages committed, by channel.");
  for (const auto& [channel, count] : inbound_) {
    sample(out, "buurtlijn_inbound_messages_total", label("channel", channel),
           static_cast<double>(count));
  }
  header(out, "buurtlijn_outbound_messages_total", "counter",
         "Outbound messages handed to a channel, by channel.");
  for (const auto& [channel, count] : outbound_) {
    sample(out, "buurtlijn_outbound_messages_total", label("channel", channel),
           static_cast<double>(count));
  }
  header(out, "buurtlijn_inbound_refused_total", "counter",
         "Inbound requests or frames refused, by channel and reason.");
  for (const auto& [key, count] : refused_) {
    sample(out, "buurtlijn_inbound_refused_total",
           label("channel", key.first) + "," + label("reason", key.second),
           static_cast<double>(count));
  }
  header(out, "buurtlijn_outbox_depth", "gauge", "Outbox items not yet sent (-1: unreadable).");
  sample(out, "buurtlijn_outbox_depth", "", static_cast<double>(gauges.outbox_depth));
  header(out, "buurtlijn_open_connections", "gauge", "Open HTTP connections.");
  sample(out, "buurtlijn_open_connections", "", static_cast<double>(gauges.open_connections));
  header(out, "buurtlijn_open_websockets", "gauge", "Open web chat WebSockets.");
  sample(out, "buurtlijn_open_websockets", "", static_cast<double>(gauges.open_websockets));

  header(out, "buurtlijn_store_commit_batch_size", "histogram",
         "Writes per group-commit transaction.");
  commit_batch_size_.render(out, "buurtlijn_store_commit_batch_size", "");
  header(out, "buurtlijn_store_commit_duration_seconds", "histogram",
         "Time to run and commit one group-commit transaction.");
  commit_seconds_.render(out, "buurtlijn_store_commit_duration_seconds", "");
  header(out, "buurtlijn_store_commit_failures_total", "counter",
         "Group-commit transactions that failed (disk full, I/O error).");
  sample(out, "buurtlijn_store_commit_failures_total", "", static_cast<double>(commit_failures_));
  render_outbox(out);
  return out;
}

void Metrics::count_outbox_attempt(std::string_view channel, std::string_view result) {
  const std::lock_guard lock(mutex_);
  ++outbox_attempts_[{std::string(channel), std::string(result)}];
}

void Metrics::count_outbox_final(std::string_view channel, std::string_view state) {
  const std::lock_guard lock(mutex_);
  ++outbox_final_[{std::string(channel), std::string(state)}];
}

void Metrics::set_outbox_items(std::int64_t queued, std::int64_t inflight, std::int64_t failed,
                               std::int64_t dead) {
  const std::lock_guard lock(mutex_);
  outbox_items_["queued"] = queued;
  outbox_items_["inflight"] = inflight;
  outbox_items_["failed"] = failed;
  outbox_items_["dead"] = dead;
}

void Metrics::count_retention(std::string_view kind, std::int64_t rows) {
  const std::lock_guard lock(mutex_);
  retention_rows_[std::string(kind)] += static_cast<std::uint64_t>(rows);
}

void Metrics::count_retention_failure() {
  const std::lock_guard lock(mutex_);
  ++retention_failures_;
}

void Metrics::render_outbox(std::string& out) const {
  header(out, "buurtlijn_outbox_attempts_total", "counter",
         "Provider calls made by the outbox worker, by channel and result.");
  for (const auto& [key, count] : outbox_attempts_) {
    sample(out, "buurtlijn_outbox_attempts_total",
           label("channel", key.first) + "," + label("result", key.second),
           static_cast<double>(count));
  }
  header(out, "buurtlijn_outbox_finished_total", "counter",
         "Outbox items that were sent, failed permanently or were dead-lettered, by channel.");
  for (const auto& [key, count] : outbox_final_) {
    sample(out, "buurtlijn_outbox_finished_total",
           label("channel", key.first) + "," + label("state", key.second),
           static_cast<double>(count));
  }
  header(out, "buurtlijn_outbox_items", "gauge",
         "Outbox items by state (queued, inflight, failed, dead), as last read by the worker.");
  for (const auto& [state, count] : outbox_items_) {
    sample(out, "buurtlijn_outbox_items", label("state", state), static_cast<double>(count));
  }
  header(out, "buurtlijn_retention_deleted_total", "counter",
         "Rows deleted or cleared by the retention job because their period had passed, by kind.");
  for (const auto& [kind, count] : retention_rows_) {
    sample(out, "buurtlijn_retention_deleted_total", label("kind", kind),
           static_cast<double>(count));
  }
  header(out, "buurtlijn_retention_failures_total", "counter",
         "Retention runs that failed (retried at the next interval).");
  sample(out, "buurtlijn_retention_failures_total", "", static_cast<double>(retention_failures_));
  header(out, "buurtlijn_log_write_failures_total", "counter",
         "Log lines that could not be written (for example on a full disk).");
  sample(out, "buurtlijn_log_write_failures_total", "", static_cast<double>(log::write_failures()));
}

}  // namespace buurtlijn::gateway
