// The console's broadcasts in the running server: admin::BroadcastHost over the same
// code path as the notification API (check_segment, prepare_notification: recipients,
// limits, the batch), queued in one write transaction with the console's row and audit
// row (store::BroadcastStore::queue). And the scheduler: a thread inside `buurtlijn
// serve` that queues scheduled broadcasts when they are due. Scheduled broadcasts live
// in the store, so they survive a restart; a cancel before the due time wins (the
// queue claims the row in its transaction).
//
// Thread-safety: ServerBroadcasts may be used from any thread (its store is
// thread-safe; it reads the App's immutable parts and the content holder). The
// scheduler's start/stop are for the thread that owns it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "admin/broadcasts.hpp"
#include "gateway/notification_request.hpp"

namespace buurtlijn::gateway {

struct App;

// The notification request of a console draft (pure): the template or node must exist,
// every parameter it needs must be filled and no other given, and the segment must pass
// check_segment() (which normalises draft.segment).
tl::expected<NotificationRequest, RequestProblem> request_from_draft(
    admin::BroadcastDraft& draft, const dialogs::NotificationCatalog& catalog,
    const dialogs::Content& content);

class ServerBroadcasts final : public admin::BroadcastHost {
 public:
  // Null (after logging why) when the store is not one broadcasts can use.
  static std::unique_ptr<ServerBroadcasts> create(App& app);

  std::shared_ptr<const dialogs::NotificationCatalog> catalog() const override;
  tl::expected<admin::BroadcastPreview, admin::BroadcastProblem> preview(
      admin::BroadcastDraft& draft, admin::Millis now) override;
  tl::expected<store::BroadcastQueued, admin::BroadcastProblem> send(
      const admin::BroadcastDraft& draft, std::int64_t scheduled_id, const store::Actor& actor,
      admin::Millis now) override;
  std::vector<std::string> area_names() const override;
  store::BroadcastStore& store() override { return *store_; }
  store::Result<std::optional<store::NotificationCounts>> counts(
      std::int64_t notification_id) override;

  // Queues every scheduled broadcast due at `now`; one that can never be queued is
  // marked failed with the reason. Returns how many were queued.
  std::size_t queue_due(admin::Millis now);

 private:
  ServerBroadcasts(App& app, std::unique_ptr<store::BroadcastStore> store)
      : app_(app), store_(std::move(store)) {}
  App& app_;
  std::unique_ptr<store::BroadcastStore> store_;
};

// Runs ServerBroadcasts::queue_due every `interval` on a thread of its own.
class BroadcastScheduler {
 public:
  BroadcastScheduler(ServerBroadcasts& broadcasts, std::chrono::milliseconds interval)
      : broadcasts_(broadcasts), interval_(interval) {}
  ~BroadcastScheduler() { stop(); }
  BroadcastScheduler(const BroadcastScheduler&) = delete;
  BroadcastScheduler& operator=(const BroadcastScheduler&) = delete;
  void start();
  void stop();  // waits for a run in progress; idempotent

 private:
  void run();
  ServerBroadcasts& broadcasts_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace buurtlijn::gateway
