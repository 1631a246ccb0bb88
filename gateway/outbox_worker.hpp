// The outbox worker: sends the outbox items of the HTTP channels (WhatsApp, Telegram,
// SMS through Kannel) from one thread running a libcurl multi loop (see http_client.hpp).
//
// Every ~50 ms, or at once after wake(), it claims due items from the store (which marks
// them 'inflight' and commits that before any call is made), paces them per channel with
// a token bucket (Telegram also per chat), renders each through its channel's connector
// with the item's reference, classifies the provider's answer and records the outcome:
// sent with the provider's id; a retry after exponential backoff with full jitter
// (transport errors, 5xx, 429 and throttling codes; never sooner than retry_after); a
// permanent failure with the provider's reason; dead-lettered after max_attempts.
// A conversation's items are claimed one at a time, oldest first, so they arrive in order.
//
// At most one successful send per item, also across crashes: an item is inflight
// (committed) before its call and its outcome is committed after it. An item found
// inflight at start-up may or may not have reached the provider, so it waits
// inflight_grace for a status callback that echoes its reference (WhatsApp's
// biz_opaque_callback_data, Kannel's DLR ref); the callback marks it sent
// (Store::apply_outbox_status) and it is never sent again. Only after the grace is it
// retried. A call cut off by a timeout or a reset after it left is in doubt in the same
// way and waits the same grace before its retry. Telegram echoes nothing: an item cut off in flight
// by a crash is retried at once after the restart and may reach the person twice (at most once more
// per crash).
//
// Thread safety: start(), stop() and the destructor from one owning thread; wake() from
// any thread. The worker's own state is touched only by its thread; store callbacks (on
// the writer thread) hand results over through a mutex-guarded inbox.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gateway/config.hpp"
#include "gateway/metrics.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

class OutboxWorker {
 public:
  // How often the worker looks for due items when nobody wakes it.
  static constexpr std::chrono::milliseconds kClaimInterval{50};

  OutboxWorker(store::Store& store, const Config& config, Metrics& metrics);
  ~OutboxWorker();  // stop() with no time left for in-flight calls
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  // The channels with secrets, in the order they are served; the worker skips the rest.
  static std::vector<std::string> configured_channels(const Config& config);

  // Starts the thread (nothing happens when no channel is configured).
  void start();
  // Claim now: new items were committed. Cheap; any thread.
  void wake();
  // Stops claiming, puts claimed but unsent items back in the queue, lets calls in
  // flight finish until `deadline`, abandons the rest (they stay inflight and are
  // resolved at the next start) and joins the thread. The outcomes are submitted to the
  // store before this returns; close the store afterwards to commit them. Idempotent.
  void stop(std::chrono::steady_clock::time_point deadline);

 private:
  struct Inbox;
  struct Channel;
  class Loop;

  store::Store& store_;
  const Config& config_;
  Metrics& metrics_;
  std::shared_ptr<Inbox> inbox_;
  std::thread thread_;
};

}  // namespace buurtlijn::gateway
