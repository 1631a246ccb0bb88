// See http_session.hpp.
#include "gateway/http_session.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <chrono>
#include <cmath>

#include "gateway/admin_console.hpp"
#include "gateway/app.hpp"
#include "gateway/client_origin.hpp"
#include "gateway/handlers.hpp"
#include "gateway/log.hpp"
#include "gateway/webchat_session.hpp"

namespace buurtlijn::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::as_tuple;
using asio::use_awaitable;

namespace {

// Shared between the coroutine and the shutdown closer, both on the strand.
struct Connection {
  explicit Connection(asio::ip::tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool idle = true;  // waiting for the next request's first bytes
  bool closing = false;
};

std::string request_id() {
  return random_token(9);
}

// A browser sends Origin on the upgrade: it must be our own host or a configured site.
bool origin_allowed(const App& app, const Request& request) {
  const auto origin = request[http::field::origin];
  if (origin.empty()) return true;  // not a browser: nothing cross-site to protect
  const auto host = request[http::field::host];
  if (origin == "http://" + std::string(host) || origin == "https://" + std::string(host)) {
    return true;
  }
  for (const std::string& allowed : app.config.webchat.allowed_origins) {
    if (origin == allowed) return true;
  }
  return false;
}

Response parse_failure(beast::error_code error) {
  if (error == http::error::header_limit) {
    return json_error(http::status::request_header_fields_too_large, "headers_too_large",
                      "the request headers are too large");
  }
  if (error == http::error::body_limit) {
    return json_error(http::status::payload_too_large, "body_too_large",
                      "the request body is too large for this endpoint");
  }
  return json_error(http::status::bad_request, "bad_request", "the request is malformed");
}

asio::awaitable<void> write_response(App& app, Connection& connection, Response response,
                                     std::string_view route, std::string_view id,
                                     std::chrono::steady_clock::time_point started,
                                     bool https = false) {
  if (response.find("Content-Security-Policy") == response.end()) {
    add_security_headers(response);
  }
  // Only when the client reached us over TLS: over plain HTTP the header is ignored by
  // browsers and would be a lie.
  if (https)
    response.set(http::field::strict_transport_security, "max-age=31536000; includeSubDomains");
  response.set("X-Request-Id", id);
  // Counted before the write, so that a client that reads /metrics right after this
  // response already sees it.
  const unsigned status = response.result_int();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  app.metrics.observe_request(route, status, seconds);
  connection.stream.expires_after(app.config.server.read_timeout);
  auto [error, bytes] =
      co_await http::async_write(connection.stream, response, as_tuple(use_awaitable));
  if (error) log::debug("http.write_failed", {{"request_id", id}, {"reason", error.message()}});
  // The route name, never the path or query: they may carry ids a person typed.
  if (app.config.log.requests) {
    log::info("http.request", {{"request_id", id},
                               {"route", route},
                               {"status", status},
                               {"ms", std::round(seconds * 100'000) / 100}});
  }
}

// After a refusal that leaves the request unread: how long and how much to drain.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = std::size_t{64} * 1024 * 1024;

asio::awaitable<void> serve(App& app, std::shared_ptr<Connection> connection) {
  const ServerConfig& limits = app.config.server;
  bool unread_input = false;  // a refusal was sent before the request was read
  beast::error_code peer_error;
  const auto peer = connection->stream.socket().remote_endpoint(peer_error);
  const std::string peer_address = peer_error ? std::string() : peer.address().to_string();
  beast::flat_buffer buffer(limits.header_limit_bytes + limits.body_limit_bytes);
  for (unsigned served = 0;; ++served) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit_bytes));
    parser.body_limit(limits.body_limit_bytes);
    connection->idle = true;
    // The first request of a connection gets the read timeout; a kept-alive connection
    // waiting for its next request gets the idle timeout.
    connection->stream.expires_after(served == 0 ? limits.read_timeout : limits.idle_timeout);
    auto [header_error, header_bytes] = co_await http::async_read_header(
        connection->stream, buffer, parser, as_tuple(use_awaitable));
    connection->idle = false;
    if (header_error == http::error::end_of_stream ||
        header_error == asio::error::operation_aborted || header_error == beast::error::timeout ||
        connection->closing) {
      break;
    }
    const auto started = std::chrono::steady_clock::now();
    const std::string id = request_id();
    if (header_error) {
      Response refusal = parse_failure(header_error);
      co_await write_response(app, *connection, std::move(refusal), "unmatched", id, started);
      break;
    }

    auto& header = parser.get();
    // Handlers read the client's address and scheme from these two headers, which are
    // replaced here: a client cannot choose them, only a trusted proxy can pass them on.
    const ClientOrigin origin = client_origin(peer_address, header["X-Forwarded-For"],
                                              header["X-Forwarded-Proto"], limits.trusted_proxies);
    header.set("X-Forwarded-For", origin.address);
    header.set("X-Forwarded-Proto", origin.https ? "https" : "http");
    const RouteMatch match = app.router.match(header.method(), header.target());
    // A named local: GCC 12 destroys temporaries made inside a co_await expression twice.
    const std::string route = match.route != nullptr ? match.route->name : "unmatched";
    if (const auto wait = app.address_limiter.allow(origin.address, started)) {
      Response refusal =
          json_error(http::status::too_many_requests, "rate_limited",
                     "too many requests from this address; try again later", header.version());
      refusal.set(http::field::retry_after, std::to_string(wait->count()));
      refusal.keep_alive(false);
      co_await write_response(app, *connection, std::move(refusal), route, id, started,
                              origin.https);
      unread_input = true;
      break;
    }
    if (match.kind == RouteMatch::Kind::found && match.route->body_limit != 0) {
      // A declared length over the route's limit is refused before reading the body;
      // the parser limit catches chunked bodies as they arrive.
      const auto declared = parser.content_length();
      if (declared && *declared > match.route->body_limit) {
        Response refusal = parse_failure(http::error::body_limit);
        refusal.keep_alive(false);
        co_await write_response(app, *connection, std::move(refusal), route, id, started);
        unread_input = true;
        break;
      }
      parser.body_limit(match.route->body_limit);
    }
    if (!parser.is_done()) {
      connection->stream.expires_after(limits.read_timeout);
      auto [body_error, body_bytes] =
          co_await http::async_read(connection->stream, buffer, parser, as_tuple(use_awaitable));
      if (body_error) {
        if (body_error != beast::error::timeout && body_error != http::error::end_of_stream) {
          Response refusal = parse_failure(body_error);
          refusal.keep_alive(false);
          co_await write_response(app, *connection, std::move(refusal), route, id, started);
          unread_input = true;
        }
        break;
      }
    }
    Request request = parser.release();

    if (match.kind == RouteMatch::Kind::found && match.route->id == RouteId::webchat_socket &&
        beast::websocket::is_upgrade(request) && app.config.webchat.enabled) {
      if (!origin_allowed(app, request) || app.webchat.size() >= app.config.webchat.max_sessions ||
          app.stopping.load()) {
        Response refusal = json_error(http::status::forbidden, "forbidden",
                                      "this origin may not open the chat", request.version());
        if (app.stopping.load() || app.webchat.size() >= app.config.webchat.max_sessions) {
          refusal = json_error(http::status::service_unavailable, "unavailable",
                               "the chat is full or shutting down", request.version());
        }
        refusal.keep_alive(false);
        co_await write_response(app, *connection, std::move(refusal), route, id, started);
        break;
      }
      app.metrics.observe_request(route, 101, 0.0);
      auto session = std::make_shared<WebchatSession>(app, std::move(connection->stream));
      session->start(std::move(request));
      co_return;
    }

    // Not a conditional expression: GCC 12 miscompiles co_await inside `?:`.
    Response response;
    if (match.kind == RouteMatch::Kind::found) {
      response = co_await handle_request(app, request, match);
    } else {
      response = routing_error(match, request.version());
    }
    if (match.kind == RouteMatch::Kind::found && match.route->id == RouteId::webchat_page) {
      add_security_headers(response, webchat_frame_ancestors(app));
    }
    const bool keep_alive = request.keep_alive() && !app.stopping.load() && !connection->closing &&
                            served + 1 < limits.max_pipelined_requests;
    response.keep_alive(keep_alive);
    if (request.method() == http::verb::head) {
      response.body().clear();  // keep Content-Length of the GET it stands for
    }
    co_await write_response(app, *connection, std::move(response), route, id, started,
                            origin.https);
    if (!keep_alive) break;
  }
  beast::error_code ignored;
  connection->stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  if (unread_input) {
    // Closing with unread bytes makes the kernel send a reset, which can destroy the
    // refusal just written before the client reads it (the client is still sending its
    // body). So, as nginx's lingering close does, read and discard for a short while.
    std::array<char, 16 * 1024> scratch{};
    std::size_t drained = 0;
    connection->stream.expires_after(kLingerTime);
    while (drained < kLingerBytes) {
      auto [read_error, bytes] = co_await connection->stream.async_read_some(
          asio::buffer(scratch), as_tuple(use_awaitable));
      if (read_error) break;
      drained += bytes;
    }
  }
}

}  // namespace

void start_http_session(App& app, asio::ip::tcp::socket socket) {
  auto connection = std::make_shared<Connection>(std::move(socket));
  const auto executor = connection->stream.get_executor();
  std::weak_ptr<Connection> weak = connection;
  const std::uint64_t id = app.connections.add([weak, executor] {
    asio::post(executor, [weak] {
      auto connection = weak.lock();
      if (!connection) return;
      connection->closing = true;
      if (connection->idle) connection->stream.cancel();
    });
  });
  asio::co_spawn(executor, serve(app, connection),
                 [&app, id, connection](const std::exception_ptr& failure) {
                   app.connections.remove(id);
                   if (!failure) return;
                   try {
                     std::rethrow_exception(failure);
                   } catch (const std::exception& error) {
                     log::error("http.session_failed", {{"what", error.what()}});
                   }
                 });
}

}  // namespace buurtlijn::gateway
