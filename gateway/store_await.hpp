// Awaiting the store's group-commit callbacks from a coroutine: the callback runs on the
// writer thread; the coroutine resumes on its own executor (the connection's strand).
#pragma once

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <utility>

namespace buurtlijn::gateway {

// `submit` is called with a completion callback taking a T; the awaitable yields that T.
// Deliberately not a coroutine itself, and callers pass a named lambda: GCC 12 destroys
// lambda temporaries inside co_await expressions twice.
template <class T, class Submit>
boost::asio::awaitable<T> await_callback(Submit submit) {
  namespace asio = boost::asio;
  return asio::async_initiate<const asio::use_awaitable_t<>, void(T)>(
      [](auto handler, Submit submit_now) {
        // std::function needs a copyable callback; the handler is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        submit_now([shared](T value) {
          auto executor = asio::get_associated_executor(*shared);
          asio::post(executor, [shared, value = std::move(value)]() mutable {
            std::move (*shared)(std::move(value));
          });
        });
      },
      asio::use_awaitable, std::move(submit));
}

}  // namespace buurtlijn::gateway
