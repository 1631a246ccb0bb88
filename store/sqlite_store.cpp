// Opening the SQLite store (WAL, synchronous=FULL, migrations) and the Store methods
// on top of the reader pool and the writer (see sqlite_store.hpp). Thread safety: reads
// borrow a connection each; writes only enqueue jobs; check_writable waits on a future.
#include "store/sqlite_store.hpp"

#include <chrono>
#include <future>
#include <string>
#include <utility>

#include "store/case_sql.hpp"
#include "store/migrations.hpp"
#include "store/notification_sql.hpp"
#include "store/outbox_reads.hpp"
#include "store/outbox_writes.hpp"
#include "store/retention_writes.hpp"
#include "store/sqlite_error.hpp"
#include "store/store_reads.hpp"
#include "store/store_writes.hpp"

namespace buurtlijn::store {
namespace {

Millis now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ConnectionOptions connection_options(const SqliteOptions& options) {
  ConnectionOptions connection;
  connection.path = options.path;
  connection.busy_timeout = options.busy_timeout;
  connection.vfs = options.vfs;
  return connection;
}

Result<std::string> pragma_text(SqliteConnection& db, std::string_view sql) {
  auto statement = SqliteStatement::prepare(db.handle(), sql, /*persistent=*/false);
  if (!statement) {
    return tl::unexpected(statement.error());
  }
  auto row = (*statement)->step();
  if (!row) {
    return tl::unexpected(row.error());
  }
  return *row ? (*statement)->column_text(0) : std::string();
}

// Opens the write connection and brings it (and the file) into shape.
Result<SqliteConnection> open_writer(const SqliteOptions& options) {
  ConnectionOptions connection = connection_options(options);
  connection.create = true;
  auto db = SqliteConnection::open(connection);
  if (!db) {
    return tl::unexpected(db.error());
  }
  auto mode = pragma_text(*db, "PRAGMA journal_mode = WAL");
  if (!mode) {
    return tl::unexpected(mode.error());
  }
  if (*mode != "wal") {
    return fail(Error::Code::internal, "open store: the database refused WAL mode (" + *mode + ")");
  }
  // FULL: the WAL is synced at every commit, so an acknowledged commit survives power loss.
  // The writer keeps up to 16 MB of pages cached (SQLite's default is 2 MB): the indexes a
  // turn updates at random places (a conversation's messages and outbox items) stay in
  // memory instead of being read back from the file at every batch. temp_store = MEMORY
  // keeps each job's savepoint journal (the pages as they were before the job, about
  // 15 per turn) in memory: by default it spills to a temporary file past 64 KB, which
  // cost a write system call per page and turn.
  if (auto ok = db->exec(
          "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -16384;"
          " PRAGMA temp_store = MEMORY;");
      !ok) {
    return tl::unexpected(ok.error());
  }
  auto version = migrate(*db, all_migrations(), now_millis());
  if (!version) {
    return tl::unexpected(version.error());
  }
  if (options.max_page_count) {
    // A test-only limit; SQLite raises a value below the current size to that size.
    if (auto ok = db->exec("PRAGMA max_page_count = " + std::to_string(*options.max_page_count));
        !ok) {
      return tl::unexpected(ok.error());
    }
  }
  return db;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(SqliteOptions options) {
  if (options.path.empty() || options.path == ":memory:") {
    return fail(Error::Code::invalid, "open store: a database file path is required");
  }
  if (sqlite3_libversion_number() < 3037000) {
    return fail(
        Error::Code::internal,
        std::string("open store: SQLite 3.37 or newer is required, found ") + sqlite3_libversion());
  }
  auto db = open_writer(options);
  if (!db) {
    return tl::unexpected(db.error());
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(options), std::move(*db)));
}

SqliteStore::SqliteStore(SqliteOptions options, SqliteConnection write_connection)
    : options_(std::move(options)),
      readers_(connection_options(options_)),
      writer_(std::make_unique<GroupCommitWriter>(std::move(write_connection), options_.max_batch,
                                                  options_.observer)),
      cases_(make_sqlite_case_store(readers_, *writer_)) {}

SqliteStore::~SqliteStore() {
  SqliteStore::close();
}

Result<std::optional<ConversationRecord>> SqliteStore::find_conversation(
    std::string_view channel, std::string_view subject_pseudonym) {
  auto db = readers_.acquire();
  if (!db) {
    return tl::unexpected(db.error());
  }
  return read_conversation(**db, channel, subject_pseudonym);
}

Result<TurnContext> SqliteStore::find_turn_context(std::string_view channel,
                                                   std::string_view subject_pseudonym) {
  auto db = readers_.acquire();
  if (!db) {
    return tl::unexpected(db.error());
  }
  return read_turn_context(**db, channel, subject_pseudonym);
}

Result<std::vector<OutboxItem>> SqliteStore::undelivered_outbox(std::int64_t conversation_id) {
  auto db = readers_.acquire();
  if (!db) {
    return tl::unexpected(db.error());
  }
  return read_undelivered_outbox(**db, conversation_id);
}

Result<std::int64_t> SqliteStore::outbox_depth() {
  auto db = readers_.acquire();
  if (!db) {
    return tl::unexpected(db.error());
  }
  return read_outbox_depth(**db);
}

Result<void> SqliteStore::check_writable() {
  // A heartbeat committed through the writer proves what matters: that a batch can
  // take the write lock, grow the database and sync the commit. BEGIN IMMEDIATE and a
  // rollback alone would pass on a full disk.
  auto promise = std::make_shared<std::promise<Result<void>>>();
  auto answer = promise->get_future();
  const Millis now = now_millis();
  writer_->submit<void>([now](SqliteConnection& db) { return write_heartbeat(db, now); },
                        [promise](Result<void> result) { promise->set_value(std::move(result)); });
  if (answer.wait_for(options_.writable_check_timeout) != std::future_status::ready) {
    return fail(Error::Code::unavailable,
                "check writable: no commit within " +
                    std::to_string(options_.writable_check_timeout.count()) + " ms");
  }
  auto result = answer.get();
  if (!result && result.error().code != Error::Code::unavailable) {
    // Any failure to commit a heartbeat means "not writable now" to the caller.
    return fail(Error::Code::unavailable, "check writable: " + result.error().message);
  }
  return result;
}

void SqliteStore::check_writable_async(std::function<void(Result<void>)> done) {
  const Millis now = now_millis();
  writer_->submit<void>(
      [now](SqliteConnection& db) { return write_heartbeat(db, now); },
      [done = std::move(done)](Result<void> result) {
        if (!result && result.error().code != Error::Code::unavailable) {
          // Any failure to commit a heartbeat means "not writable now".
          done(tl::unexpected(
              Error{Error::Code::unavailable, "check writable: " + result.error().message}));
          return;
        }
        done(std::move(result));
      });
}

void SqliteStore::commit_turn(InboundTurn turn, std::function<void(Result<TurnCommitted>)> done) {
  writer_->submit<TurnCommitted>(
      [turn = std::move(turn)](SqliteConnection& db) { return write_turn(db, turn); },
      std::move(done));
}

void SqliteStore::mark_delivered(std::vector<std::int64_t> outbox_ids, Millis at,
                                 std::function<void(Result<void>)> done) {
  writer_->submit<void>([ids = std::move(outbox_ids),
                         at](SqliteConnection& db) { return write_delivered(db, ids, at); },
                        std::move(done));
}

void SqliteStore::apply_retention(RetentionPolicy policy, Millis now,
                                  std::function<void(Result<RetentionOutcome>)> done) {
  writer_->submit<RetentionOutcome>(
      [policy, now](SqliteConnection& db) { return write_retention(db, policy, now); },
      std::move(done));
}

void SqliteStore::claim_outbox(std::vector<std::string> channels, std::size_t limit, Millis now,
                               std::function<void(Result<std::vector<ClaimedOutboxItem>>)> done) {
  writer_->submit<std::vector<ClaimedOutboxItem>>(
      [channels = std::move(channels), limit, now](SqliteConnection& db) {
        return write_claim_outbox(db, channels, limit, now);
      },
      std::move(done));
}

void SqliteStore::record_outbox_outcomes(std::vector<OutboxOutcome> outcomes, Millis now,
                                         std::function<void(Result<void>)> done) {
  writer_->submit<void>(
      [outcomes = std::move(outcomes), now](SqliteConnection& db) {
        return write_outbox_outcomes(db, outcomes, now);
      },
      std::move(done));
}

void SqliteStore::apply_outbox_status(OutboxStatusUpdate update,
                                      std::function<void(Result<bool>)> done) {
  writer_->submit<bool>([update = std::move(update)](
                            SqliteConnection& db) { return write_outbox_status(db, update); },
                        std::move(done));
}

void SqliteStore::recover_inflight_outbox(
    std::vector<std::pair<std::string, Millis>> grace_by_channel, Millis now,
    std::function<void(Result<std::int64_t>)> done) {
  writer_->submit<std::int64_t>(
      [grace = std::move(grace_by_channel), now](SqliteConnection& db) {
        return write_recover_inflight(db, grace, now);
      },
      std::move(done));
}

Result<OutboxCounts> SqliteStore::outbox_counts() {
  auto db = readers_.acquire();
  if (!db) {
    return tl::unexpected(db.error());
  }
  return read_outbox_counts(**db);
}

Result<std::optional<SubscriberRecord>> SqliteStore::find_subscriber(
    std::string_view subject_pseudonym) {
  auto db = readers_.acquire();
  if (!db) {
    return tl::unexpected(db.error());
  }
  return read_subscriber(**db, subject_pseudonym);
}

void SqliteStore::record_opt_out(std::string subject_pseudonym, std::string how, Millis at,
                                 std::function<void(Result<bool>)> done) {
  writer_->submit<bool>([pseudonym = std::move(subject_pseudonym), how = std::move(how), at](
                            SqliteConnection& db) { return write_opt_out(db, pseudonym, how, at); },
                        std::move(done));
}

void SqliteStore::record_opt_out_of_outbox_item(std::int64_t outbox_id, std::string how, Millis at,
                                                std::function<void(Result<bool>)> done) {
  writer_->submit<bool>(
      [outbox_id, how = std::move(how), at](SqliteConnection& db) {
        return write_opt_out_of_outbox_item(db, outbox_id, how, at);
      },
      std::move(done));
}

void SqliteStore::create_api_key(std::string name, std::string key_hash, Millis at,
                                 std::function<void(Result<std::int64_t>)> done) {
  writer_->submit<std::int64_t>(
      [name = std::move(name), hash = std::move(key_hash), at](SqliteConnection& db) {
        return write_create_api_key(db, name, hash, at);
      },
      std::move(done));
}

void SqliteStore::revoke_api_key(std::string name, Millis at,
                                 std::function<void(Result<bool>)> done) {
  writer_->submit<bool>([name = std::move(name),
                         at](SqliteConnection& db) { return write_revoke_api_key(db, name, at); },
                        std::move(done));
}

Result<std::vector<ApiKeyRecord>> SqliteStore::api_keys() {
  auto db = readers_.acquire();
  if (!db) {
    return tl::unexpected(db.error());
  }
  return read_api_keys(**db);
}

Result<std::vector<NotificationRecipient>> SqliteStore::notification_recipients(
    const NotificationTarget& target) {
  auto db = readers_.acquire();
  if (!db) {
    return tl::unexpected(db.error());
  }
  return read_notification_recipients(**db, target);
}

void SqliteStore::queue_notification(NotificationBatch batch,
                                     std::function<void(Result<NotificationQueued>)> done) {
  writer_->submit<NotificationQueued>(
      [batch = std::move(batch)](SqliteConnection& db) {
        return write_queue_notification(db, batch);
      },
      std::move(done));
}

Result<std::optional<NotificationCounts>> SqliteStore::notification_counts(std::int64_t id) {
  auto db = readers_.acquire();
  if (!db) {
    return tl::unexpected(db.error());
  }
  return read_notification_counts(**db, id);
}

void SqliteStore::close() {
  writer_->close();
}

Result<std::unique_ptr<Store>> open_sqlite_store(SqliteOptions options) {
  auto store = SqliteStore::open(std::move(options));
  if (!store) {
    return tl::unexpected(store.error());
  }
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace buurtlijn::store
