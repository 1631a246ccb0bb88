// Accepts TCP connections and starts an HTTP session on a fresh strand for each;
// connections beyond max_connections are closed at once. Runs until cancelled.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace buurtlijn::gateway {

struct App;

boost::asio::awaitable<void> accept_connections(App& app, boost::asio::ip::tcp::acceptor& acceptor);

}  // namespace buurtlijn::gateway
