// Prometheus exposition: counters, histograms with cumulative buckets, gauges.
#include "gateway/metrics.hpp"

#include <doctest/doctest.h>

using namespace buurtlijn::gateway;

TEST_CASE("metrics render in the Prometheus text format") {
  Metrics metrics;
  metrics.observe_request("healthz", 200, 0.0003);
  metrics.observe_request("healthz", 200, 0.02);
  metrics.observe_request("unmatched", 404, 0.001);
  metrics.count_inbound("webchat");
  metrics.count_outbound("webchat");
  metrics.count_outbound("webchat");
  metrics.count_refused("webchat", "rate_limited");
  metrics.observe_commit(3, 0.002, true);
  metrics.observe_commit(700, 0.01, false);
  const std::string text = metrics.render(Gauges{5, 2, 1});

  CHECK(text.find("# TYPE buurtlijn_http_requests_total counter") != std::string::npos);
  CHECK(text.find("buurtlijn_http_requests_total{route=\"healthz\",status=\"200\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("buurtlijn_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("buurtlijn_http_request_duration_seconds_bucket{route=\"healthz\",le=\"0.0005\"} "
                  "1\n") != std::string::npos);
  CHECK(text.find("buurtlijn_http_request_duration_seconds_bucket{route=\"healthz\",le=\"+Inf\"} "
                  "2\n") != std::string::npos);
  CHECK(text.find("buurtlijn_http_request_duration_seconds_count{route=\"healthz\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("buurtlijn_inbound_messages_total{channel=\"webchat\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("buurtlijn_outbound_messages_total{channel=\"webchat\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("buurtlijn_inbound_refused_total{channel=\"webchat\",reason=\"rate_limited\"} "
                  "1\n") != std::string::npos);
  CHECK(text.find("buurtlijn_outbox_depth 5\n") != std::string::npos);
  CHECK(text.find("buurtlijn_open_connections 2\n") != std::string::npos);
  CHECK(text.find("buurtlijn_open_websockets 1\n") != std::string::npos);
  CHECK(text.find("buurtlijn_store_commit_batch_size_bucket{le=\"4\"} 1\n") != std::string::npos);
  CHECK(text.find("buurtlijn_store_commit_batch_size_bucket{le=\"+Inf\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("buurtlijn_store_commit_failures_total 1\n") != std::string::npos);
}
