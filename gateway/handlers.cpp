// See handlers.hpp.
#include "gateway/handlers.hpp"

#include <boost/json.hpp>

#include "gateway/admin_console.hpp"
#include "gateway/app.hpp"
#include "gateway/await_with_timeout.hpp"
#include "gateway/notification_api.hpp"
#include "gateway/open311_handlers.hpp"
#include "gateway/webhooks.hpp"

namespace buurtlijn::gateway {
namespace {

Response serve_asset(const App& app, const Request& request, std::string_view name) {
  const StaticAsset* asset = app.assets.find(name);
  if (asset == nullptr) {
    return json_error(http::status::not_found, "not_found", "no such file", request.version());
  }
  if (request[http::field::if_none_match] == asset->etag) {
    Response response{http::status::not_modified, request.version()};
    response.set(http::field::etag, asset->etag);
    return response;
  }
  Response response = text_response(http::status::ok, std::string(asset->body), asset->content_type,
                                    request.version());
  response.set(http::field::etag, asset->etag);
  response.set(http::field::cache_control, "no-cache");
  return response;
}

Response languages(const App& app, unsigned version) {
  const auto content = app.content.current();
  boost::json::array list;
  for (const dialogs::LanguageInfo& language : content->languages()) {
    boost::json::object ui;
    for (const auto& [key, text] : language.ui) ui[key] = text;
    list.push_back(boost::json::object{{"code", language.code},
                                       {"name", language.native_name},
                                       {"dir", language.right_to_left ? "rtl" : "ltr"},
                                       {"ui", std::move(ui)}});
  }
  Response response = json_response(
      http::status::ok,
      boost::json::serialize(boost::json::object{{"default", "nl"}, {"languages", list}}), version);
  response.set(http::field::cache_control, "no-cache");
  return response;
}

// How long /readyz waits for its heartbeat commit (as SqliteOptions' default).
constexpr std::chrono::milliseconds kWritableCheckTimeout{1000};

// Commits a heartbeat through the writer; the I/O thread serves other requests meanwhile.
boost::asio::awaitable<Response> readiness(App& app, unsigned version) {
  using Writable = tl::expected<void, store::Error>;
  Writable writable =
      tl::unexpected(store::Error{store::Error::Code::unavailable, "shutting down"});
  if (!app.stopping.load()) {
    const Writable timed_out =
        tl::unexpected(store::Error{store::Error::Code::unavailable,
                                    "check writable: no commit within " +
                                        std::to_string(kWritableCheckTimeout.count()) + " ms"});
    const auto submit = [&app](auto done) { app.store->check_writable_async(std::move(done)); };
    writable = co_await await_callback_for<Writable>(kWritableCheckTimeout, timed_out, submit);
  }
  if (!writable) {
    co_return json_response(http::status::service_unavailable,
                            boost::json::serialize(boost::json::object{
                                {"status", "unavailable"}, {"reason", writable.error().message}}),
                            version);
  }
  co_return json_response(http::status::ok, R"({"status":"ready"})", version);
}

Response metrics(App& app, unsigned version) {
  Gauges gauges;
  auto depth = app.store->outbox_depth();
  gauges.outbox_depth = depth ? *depth : -1;
  gauges.open_connections = app.connections.size();
  gauges.open_websockets = app.webchat.size();
  return text_response(http::status::ok, app.metrics.render(gauges),
                       "text/plain; version=0.0.4; charset=utf-8", version);
}

}  // namespace

std::string webchat_frame_ancestors(const App& app) {
  std::string sources = "'self'";
  for (const std::string& origin : app.config.webchat.allowed_origins) sources += " " + origin;
  return sources;
}

Response routing_error(const RouteMatch& match, unsigned version) {
  if (match.kind == RouteMatch::Kind::method_not_allowed) {
    Response response = json_error(http::status::method_not_allowed, "method_not_allowed",
                                   "this method is not allowed here", version);
    response.set(http::field::allow, match.allow);
    return response;
  }
  return json_error(http::status::not_found, "not_found", "no such resource", version);
}

boost::asio::awaitable<Response> handle_request(App& app, const Request& request,
                                                const RouteMatch& match) {
  const unsigned version = request.version();
  switch (match.route->id) {
    case RouteId::webchat_page:
      if (!app.config.webchat.enabled) break;
      co_return serve_asset(app, request, "index.html");
    case RouteId::webchat_asset:
      if (!app.config.webchat.enabled) break;
      co_return serve_asset(app, request, match.parameter);
    case RouteId::webchat_languages:
      if (!app.config.webchat.enabled) break;
      co_return languages(app, version);
    case RouteId::webchat_socket:
      co_return json_error(http::status::upgrade_required, "upgrade_required",
                           "this endpoint speaks WebSocket only", version);
    case RouteId::healthz:
      co_return json_response(http::status::ok, R"({"status":"alive"})", version);
    case RouteId::readyz: {
      auto response = co_await readiness(app, version);
      co_return response;
    }
    case RouteId::metrics:
      co_return metrics(app, version);
    case RouteId::whatsapp_webhook:
    case RouteId::telegram_webhook:
    case RouteId::kannel_webhook:
    case RouteId::kannel_delivery_report: {
      auto response = co_await handle_webhook(app, request, match.route->id);
      co_return response;
    }
    case RouteId::notifications_create: {
      auto response = co_await handle_create_notification(app, request);
      co_return response;
    }
    case RouteId::notifications_status:
      co_return handle_notification_status(app, request, match.parameter);
    case RouteId::admin_page:
    case RouteId::admin_asset:
    case RouteId::admin_api:
      co_return handle_admin(app, request, std::string(request["X-Forwarded-For"]));
    case RouteId::open311_services:
    case RouteId::open311_service:
    case RouteId::open311_requests:
    case RouteId::open311_request: {
      auto response = co_await handle_open311(app, request, match.route->id, match.parameter);
      co_return response;
    }
  }
  co_return json_error(http::status::not_found, "not_found", "no such resource", version);
}

}  // namespace buurtlijn::gateway
