// One HTTP connection: reads requests one at a time with per-route body limits and a
// timeout re-armed before every read, answers them in order, hands WebSocket upgrades
// to the web chat, and closes after max_pipelined_requests requests. Transport only:
// what to answer is decided in handlers.cpp.
#pragma once

#include <boost/asio/ip/tcp.hpp>

namespace buurtlijn::gateway {

struct App;

// Runs the connection on the socket's executor (a strand) until it closes.
void start_http_session(App& app, boost::asio::ip::tcp::socket socket);

}  // namespace buurtlijn::gateway
