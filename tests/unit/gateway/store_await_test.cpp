// await_callback (gateway/store_await.hpp): coroutines on strands of a multi-threaded
// io_context await callbacks that another thread calls, the way the group-commit writer
// completes a turn. Each coroutine must resume on its own strand with its own value, and
// the last reference to the strand may be dropped by either thread. Under the thread
// sanitizer (tests/tsan/run) this is the pattern that once reported a race in Asio's
// executor reference count (see BUURTLIJN_TSAN in CMakeLists.txt).
#include "gateway/store_await.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace buurtlijn::gateway {
namespace {

namespace asio = boost::asio;

// Calls queued callbacks on its own thread and destroys each one there, as the writer
// thread does with a finished job.
class CompletionThread {
 public:
  CompletionThread() : thread_([this] { run(); }) {}
  CompletionThread(const CompletionThread&) = delete;
  CompletionThread& operator=(const CompletionThread&) = delete;
  ~CompletionThread() {
    {
      const std::lock_guard lock(mutex_);
      closing_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void submit(std::function<void()> callback) {
    {
      const std::lock_guard lock(mutex_);
      queue_.push_back(std::move(callback));
    }
    wake_.notify_one();
  }

 private:
  void run() {
    for (;;) {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;
      std::function<void()> callback = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      callback();
      callback = nullptr;  // drop the job, and what it holds, on this thread
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool closing_ = false;
  std::thread thread_;
};

using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;

asio::awaitable<void> await_many(CompletionThread& completions, int first, int count,
                                 std::atomic<int>& resumed_right, std::atomic<int>& done, int total,
                                 WorkGuard& work) {
  const auto strand = co_await asio::this_coro::executor;
  for (int i = first; i < first + count; ++i) {
    auto submit = [&completions, i](std::function<void(int)> callback) {
      completions.submit([callback = std::move(callback), i] { callback(i * 2); });
    };
    const int value = co_await await_callback<int>(submit);
    const bool on_strand =
        strand.target<asio::strand<asio::any_io_executor>>()->running_in_this_thread();
    if (value == i * 2 && on_strand) resumed_right.fetch_add(1);
  }
  // A suspended coroutine is no work for the io_context; the guard keeps run() going.
  if (done.fetch_add(1) + 1 == total) work.reset();
}

TEST_CASE("await_callback: completions from another thread resume each coroutine on its strand") {
  asio::io_context io;
  std::atomic<int> resumed_right{0};
  std::atomic<int> done{0};
  constexpr int kCoroutines = 200;
  constexpr int kAwaitsEach = 10;
  WorkGuard work = asio::make_work_guard(io);
  {
    CompletionThread completions;
    for (int c = 0; c < kCoroutines; ++c) {
      // Like the server's connections: a strand over an any_io_executor, which Asio keeps
      // behind a shared, reference-counted target.
      asio::co_spawn(asio::make_strand(asio::any_io_executor(io.get_executor())),
                     await_many(completions, c * kAwaitsEach, kAwaitsEach, resumed_right, done,
                                kCoroutines, work),
                     asio::detached);
    }
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) threads.emplace_back([&io] { io.run(); });
    for (std::thread& thread : threads) thread.join();
  }
  CHECK(done.load() == kCoroutines);
  CHECK(resumed_right.load() == kCoroutines * kAwaitsEach);
}

}  // namespace
}  // namespace buurtlijn::gateway
