// Maps a method and a path to a route: exact paths ("/healthz") and one-segment
// prefixes ("/webchat/*" matches "/webchat/chat.js", not "/webchat/a/b"). Pure and
// immutable once built, so it is shared by every connection without locks.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <cstddef>
#include <optional>
#include <ostream>  // Boost 1.81's beast/http/verb.hpp uses std::ostream without including it
#include <string>
#include <string_view>
#include <vector>

namespace buurtlijn::gateway {

namespace http = boost::beast::http;

enum class RouteId {
  webchat_page,
  webchat_asset,
  webchat_languages,
  webchat_socket,
  healthz,
  readyz,
  metrics,
  whatsapp_webhook,
  telegram_webhook,
  kannel_webhook,
  kannel_delivery_report,
  notifications_create,
  notifications_status,
  admin_page,
  admin_asset,
  admin_api,
  open311_services,  // gateway/open311_handlers.hpp
  open311_service,
  open311_requests,
  open311_request,
};

struct Route {
  RouteId id;
  std::string name;     // metrics label; bounded, never the raw path
  std::string pattern;  // exact path, or a prefix ending in "/*"
  std::vector<http::verb> methods;
  std::size_t body_limit = 0;  // 0: the server's default
};

struct RouteMatch {
  enum class Kind { found, not_found, method_not_allowed };
  Kind kind = Kind::not_found;
  const Route* route = nullptr;  // set when found
  std::string_view parameter;    // the part matched by "*"
  std::string allow;             // "GET, HEAD" when the method is not allowed
};

class Router {
 public:
  explicit Router(std::vector<Route> routes);
  // `target` may carry a query string; it is ignored for matching.
  RouteMatch match(http::verb method, std::string_view target) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// The server's route table (gateway/routes.cpp).
Router make_router();

// Splits "/path?query" into the path.
std::string_view path_of(std::string_view target);

}  // namespace buurtlijn::gateway
