// Awaiting a store callback with a deadline: like await_callback (store_await.hpp), but
// the coroutine resumes with `on_timeout` when the callback has not come within
// `timeout`. The I/O thread never blocks meanwhile (used by /readyz, whose heartbeat
// commit may queue behind a busy writer).
//
// Thread safety: the callback may run on any thread (the writer's); the coroutine resumes
// on its own executor, exactly once, whichever of callback and timer comes first. A late
// callback is dropped.
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace buurtlijn::gateway {

// Not a coroutine itself; callers pass a named lambda (GCC 12, see store_await.hpp).
template <class T, class Submit>
boost::asio::awaitable<T> await_callback_for(std::chrono::milliseconds timeout, T on_timeout,
                                             Submit submit) {
  namespace asio = boost::asio;
  return asio::async_initiate<const asio::use_awaitable_t<>, void(T)>(
      [](auto handler, std::chrono::milliseconds wait, T timed_out, Submit submit_now) {
        using Handler = decltype(handler);
        struct State {
          std::mutex mutex;  // guards handler: taken by the first of callback and timer
          std::optional<Handler> handler;
          std::optional<asio::steady_timer> timer;  // used on the executor only
        };
        auto executor = asio::get_associated_executor(handler);
        auto state = std::make_shared<State>();
        state->handler.emplace(std::move(handler));
        state->timer.emplace(executor, wait);
        const auto complete = [state, executor](T value) {
          std::optional<Handler> taken;
          {
            const std::lock_guard lock(state->mutex);
            if (state->handler) {
              taken.emplace(std::move(*state->handler));
              state->handler.reset();
            }
          }
          if (!taken) return;  // the other one came first
          asio::post(executor,
                     [state, first = std::move(*taken), value = std::move(value)]() mutable {
                       state->timer->cancel();
                       std::move(first)(std::move(value));
                     });
        };
        state->timer->async_wait([complete, timed_out](const boost::system::error_code& error) {
          if (!error) complete(timed_out);
        });
        submit_now([complete](T value) { complete(std::move(value)); });
      },
      asio::use_awaitable, timeout, std::move(on_timeout), std::move(submit));
}

}  // namespace buurtlijn::gateway
