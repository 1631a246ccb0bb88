// See listener.hpp.
#include "gateway/listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gateway/app.hpp"
#include "gateway/http_session.hpp"
#include "gateway/log.hpp"

namespace buurtlijn::gateway {

namespace asio = boost::asio;

asio::awaitable<void> accept_connections(App& app, asio::ip::tcp::acceptor& acceptor) {
  for (;;) {
    auto [error, socket] = co_await acceptor.async_accept(
        asio::make_strand(acceptor.get_executor()), asio::as_tuple(asio::use_awaitable));
    if (error == asio::error::operation_aborted || app.stopping.load()) co_return;
    if (error) {
      // EMFILE and friends: say so and keep accepting once descriptors free up.
      log::warn("http.accept_failed", {{"reason", error.message()}});
      continue;
    }
    if (app.connections.size() >= app.config.server.max_connections) {
      app.metrics.count_refused("http", "connection_limit");
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    socket.set_option(asio::ip::tcp::no_delay(true));
    start_http_session(app, std::move(socket));
  }
}

}  // namespace buurtlijn::gateway
