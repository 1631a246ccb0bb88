// The HTTP handlers: thin adapters from a request to a response over the shared App.
// Everything a handler needs to decide comes from the request and the App; the session
// owns the transport. Thread-safe as far as the App's members are.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "gateway/http_responses.hpp"
#include "gateway/router.hpp"

namespace buurtlijn::gateway {

struct App;

boost::asio::awaitable<Response> handle_request(App& app, const Request& request,
                                                const RouteMatch& match);

// 404/405 for requests no route takes.
Response routing_error(const RouteMatch& match, unsigned version);

// The web chat may be framed by the municipality's site (the widget): the origins that
// may do so, as a CSP source list.
std::string webchat_frame_ancestors(const App& app);

}  // namespace buurtlijn::gateway
