// The SQLite implementation of Store: a ReaderPool for reads on the calling thread and
// a GroupCommitWriter that owns the write connection.
//
// Opening creates the file when missing, sets WAL mode, synchronous=FULL (a commit
// that was acknowledged survives kill -9 and power loss) and foreign keys, applies the
// migrations and starts the writer thread. Internal to store/ and its tests; the rest of
// the program sees Store and open_sqlite_store().
//
// Thread safety: every method may be called from any thread (see store.hpp).
// check_writable() blocks its caller until the heartbeat commits or
// writable_check_timeout passes, so it must not be called from a write callback (the
// writer thread); nor may the destructor run there.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <string_view>
#include <vector>

#include "store/case_store.hpp"
#include "store/group_commit_writer.hpp"
#include "store/reader_pool.hpp"
#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> open(SqliteOptions options);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;  // close()

  Result<std::optional<ConversationRecord>> find_conversation(
      std::string_view channel, std::string_view subject_pseudonym) override;
  Result<TurnContext> find_turn_context(std::string_view channel,
                                        std::string_view subject_pseudonym) override;
  Result<std::vector<OutboxItem>> undelivered_outbox(std::int64_t conversation_id) override;
  Result<std::int64_t> outbox_depth() override;
  Result<void> check_writable() override;
  void check_writable_async(std::function<void(Result<void>)> done) override;

  void commit_turn(InboundTurn turn, std::function<void(Result<TurnCommitted>)> done) override;
  void mark_delivered(std::vector<std::int64_t> outbox_ids, Millis at,
                      std::function<void(Result<void>)> done) override;
  void apply_retention(RetentionPolicy policy, Millis now,
                       std::function<void(Result<RetentionOutcome>)> done) override;
  void claim_outbox(std::vector<std::string> channels, std::size_t limit, Millis now,
                    std::function<void(Result<std::vector<ClaimedOutboxItem>>)> done) override;
  void record_outbox_outcomes(std::vector<OutboxOutcome> outcomes, Millis now,
                              std::function<void(Result<void>)> done) override;
  void apply_outbox_status(OutboxStatusUpdate update,
                           std::function<void(Result<bool>)> done) override;
  void recover_inflight_outbox(std::vector<std::pair<std::string, Millis>> grace_by_channel,
                               Millis now, std::function<void(Result<std::int64_t>)> done) override;
  Result<OutboxCounts> outbox_counts() override;
  Result<std::optional<SubscriberRecord>> find_subscriber(
      std::string_view subject_pseudonym) override;
  void record_opt_out(std::string subject_pseudonym, std::string how, Millis at,
                      std::function<void(Result<bool>)> done) override;
  void record_opt_out_of_outbox_item(std::int64_t outbox_id, std::string how, Millis at,
                                     std::function<void(Result<bool>)> done) override;
  void create_api_key(std::string name, std::string key_hash, Millis at,
                      std::function<void(Result<std::int64_t>)> done) override;
  void revoke_api_key(std::string name, Millis at, std::function<void(Result<bool>)> done) override;
  Result<std::vector<ApiKeyRecord>> api_keys() override;
  Result<std::vector<NotificationRecipient>> notification_recipients(
      const NotificationTarget& target) override;
  void queue_notification(NotificationBatch batch,
                          std::function<void(Result<NotificationQueued>)> done) override;
  Result<std::optional<NotificationCounts>> notification_counts(std::int64_t id) override;
  CaseStore& cases() override { return *cases_; }
  void close() override;

  // Runs `work` on the writer thread, in its own savepoint of the next batch, and
  // `done` after the batch (as commit_turn). For store/ and its tests.
  template <class T>
  void write(std::function<Result<T>(SqliteConnection&)> work,
             std::function<void(Result<T>)> done) {
    writer_->submit<T>(std::move(work), std::move(done));
  }

  // The same, waiting for the commit: for callers on threads that may block (the
  // console's and the broadcast scheduler's stores), never on an I/O thread.
  template <class T>
  Result<T> write_and_wait(std::function<Result<T>(SqliteConnection&)> work) {
    auto promise = std::make_shared<std::promise<Result<T>>>();
    auto future = promise->get_future();
    write<T>(std::move(work),
             [promise](Result<T> result) { promise->set_value(std::move(result)); });
    return future.get();
  }

  std::size_t read_connections() const { return readers_.size(); }
  // A read connection for the calling thread (the console's reads, admin_sqlite.cpp).
  Result<ReaderPool::Lease> read_connection() { return readers_.acquire(); }

  // Runs `sql` on a read connection: `bind` binds its parameters, `read` makes a T of
  // each row, at most `most` rows.
  template <class T, class Bind, class Read>
  Result<std::vector<T>> read_rows(std::string_view sql, Bind bind, Read read,
                                   std::size_t most = 100000) {
    auto db = read_connection();
    if (!db) return tl::unexpected(db.error());
    auto statement = (*db)->statement(sql);
    if (!statement) return tl::unexpected(statement.error());
    bind(**statement);
    std::vector<T> rows;
    while (rows.size() < most) {
      auto row = (*statement)->step();
      if (!row) return tl::unexpected(row.error());
      if (!*row) break;
      rows.push_back(read(**statement));
    }
    return rows;
  }

 private:
  SqliteStore(SqliteOptions options, SqliteConnection write_connection);

  const SqliteOptions options_;
  ReaderPool readers_;
  std::unique_ptr<GroupCommitWriter> writer_;
  std::unique_ptr<CaseStore> cases_;  // over readers_ and writer_
};

}  // namespace buurtlijn::store
