// Shared helpers for the store tests: a fresh temporary directory per test, blocking
// wrappers over the callback API (with a deadline instead of sleeps), and row counts
// read through a connection of the test's own.
#pragma once

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store::testing {

inline constexpr auto kDeadline = std::chrono::seconds(60);

// A new empty directory under the system temp directory, removed with its contents.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("buurtlijn-store-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
             "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// prefix + i, e.g. numbered("wamid.", 7) == "wamid.7". (Spelled out because GCC 12 -O3
// gives a false -Wrestrict for `"m" + std::to_string(i)`.)
inline std::string numbered(std::string_view prefix, std::int64_t i) {
  std::string text(prefix);
  text += std::to_string(i);
  return text;
}

inline SqliteOptions options_for(const TempDir& dir) {
  SqliteOptions options;
  options.path = dir.file("buurtlijn.db");
  return options;
}

// Waits for a callback-style call: `start` gets the callback to pass on.
template <class T>
Result<T> wait_for(const std::function<void(std::function<void(Result<T>)>)>& start) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  start([promise](Result<T> result) { promise->set_value(std::move(result)); });
  if (future.wait_for(kDeadline) != std::future_status::ready) {
    return tl::unexpected(Error{Error::Code::internal, "test: no answer before the deadline"});
  }
  return future.get();
}

inline Result<TurnCommitted> commit(Store& store, InboundTurn turn) {
  return wait_for<TurnCommitted>([&](auto done) { store.commit_turn(std::move(turn), done); });
}

inline Result<void> deliver(Store& store, std::vector<std::int64_t> ids, Millis at) {
  return wait_for<void>([&](auto done) { store.mark_delivered(std::move(ids), at, done); });
}

inline InboundTurn make_turn(std::string pseudonym, std::string message_id,
                             std::int64_t expected_version, std::size_t replies = 1,
                             Millis received_at = 1'700'000'000'000) {
  InboundTurn turn;
  turn.channel = "whatsapp";
  turn.subject_pseudonym = std::move(pseudonym);
  turn.channel_message_id = std::move(message_id);
  turn.text = "Hoe schrijf ik me in bij de gemeente?";
  turn.received_at = received_at;
  turn.expected_version = expected_version;
  turn.language = "ro";
  turn.dialog_state = "{\"node\":\"brp\"}";
  for (std::size_t i = 0; i < replies; ++i) {
    turn.replies.push_back(
        {"raspuns " + std::to_string(i), "{\"text\":\"raspuns " + std::to_string(i) + "\"}"});
  }
  return turn;
}

// A connection of the test's own to the database file (not the store's).
inline SqliteConnection open_side_connection(
    const std::string& path,
    std::chrono::milliseconds busy_timeout = std::chrono::milliseconds(5000)) {
  ConnectionOptions options;
  options.path = path;
  options.busy_timeout = busy_timeout;
  return SqliteConnection::open(options)
      .or_else([](const Error& error) {
        throw std::runtime_error("test: cannot open side connection: " + error.message);
      })
      .value();
}

// The single integer `sql` returns, read through a side connection.
inline std::int64_t query_int(SqliteConnection& db, std::string_view sql) {
  auto statement = db.statement(sql);
  if (!statement) {
    throw std::runtime_error("test: " + statement.error().message);
  }
  auto row = (*statement)->step();
  if (!row || !*row) {
    throw std::runtime_error("test: no row for a count");
  }
  return (*statement)->column_int64(0);
}

inline std::int64_t query_int(const std::string& path, std::string_view sql) {
  auto db = open_side_connection(path);
  return query_int(db, sql);
}

// A write job that blocks the writer thread until released, so that the jobs submitted
// meanwhile are taken as one batch.
class WriterGate {
 public:
  // The job to submit; it reports that it started, then waits for release().
  std::function<Result<void>(SqliteConnection&)> job() {
    return [this](SqliteConnection&) -> Result<void> {
      started_.set_value();
      if (released_.wait_for(kDeadline) != std::future_status::ready) {
        return tl::unexpected(Error{Error::Code::internal, "test: gate never released"});
      }
      return {};
    };
  }
  // Waits until the writer thread runs the gate job.
  bool wait_started() {
    return started_.get_future().wait_for(kDeadline) == std::future_status::ready;
  }
  void release() { release_.set_value(); }

 private:
  std::promise<void> started_;
  std::promise<void> release_;
  std::shared_future<void> released_ = release_.get_future().share();
};

}  // namespace buurtlijn::store::testing
