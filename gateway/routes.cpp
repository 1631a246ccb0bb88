// The route table of `buurtlijn serve`: every path the server answers, its methods and
// its body limit. Pure (no I/O): the unit tests and the HTTP fuzz target use the same
// table the server runs.
#include "gateway/router.hpp"

namespace buurtlijn::gateway {

Router make_router() {
  const std::size_t small = std::size_t{16} * 1024;  // GET routes need no body at all
  const std::size_t webhook = std::size_t{1024} * 1024;
  const std::size_t admin_form = std::size_t{1024} * 1024;  // a PO file fits
  return Router({
      {RouteId::webchat_page, "webchat_page", "/", {http::verb::get}, small},
      {RouteId::webchat_languages,
       "webchat_languages",
       "/webchat/languages.json",
       {http::verb::get},
       small},
      {RouteId::webchat_socket, "webchat_socket", "/webchat/ws", {http::verb::get}, small},
      {RouteId::webchat_asset, "webchat_asset", "/webchat/*", {http::verb::get}, small},
      {RouteId::healthz, "healthz", "/healthz", {http::verb::get}, small},
      {RouteId::readyz, "readyz", "/readyz", {http::verb::get}, small},
      {RouteId::metrics, "metrics", "/metrics", {http::verb::get}, small},
      // Providers cap their payloads well below this; the cap comes before any parsing.
      {RouteId::whatsapp_webhook,
       "whatsapp_webhook",
       "/webhooks/whatsapp",
       {http::verb::get, http::verb::post},
       webhook},
      {RouteId::telegram_webhook,
       "telegram_webhook",
       "/webhooks/telegram",
       {http::verb::post},
       webhook},
      {RouteId::kannel_webhook, "kannel_webhook", "/webhooks/kannel", {http::verb::get}, small},
      {RouteId::notifications_create,
       "notifications_create",
       "/api/v1/notifications",
       {http::verb::post},
       std::size_t{64} * 1024},
      {RouteId::notifications_status,
       "notifications_status",
       "/api/v1/notifications/*",
       {http::verb::get},
       small},
      {RouteId::kannel_delivery_report,
       "kannel_delivery_report",
       "/webhooks/kannel/dlr",
       {http::verb::get},
       small},
      // The console (admin/console.hpp): pages, their static files, the JSON the pages use.
      {RouteId::admin_page, "admin_page", "/admin/", {http::verb::get}, small},
      {RouteId::admin_asset, "admin_asset", "/admin/static/*", {http::verb::get}, small},
      // A report's stored photo (gateway/media_jobs.hpp), behind the console's login.
      {RouteId::admin_page, "admin_photo", "/admin/photos/*", {http::verb::get}, small},
      {RouteId::admin_api,
       "admin_api",
       "/admin/api/*",
       {http::verb::get, http::verb::post},
       admin_form},
      {RouteId::admin_page,
       "admin_page",
       "/admin/*",
       {http::verb::get, http::verb::post},
       admin_form},
      {RouteId::open311_services,
       "open311_services",
       "/open311/v2/services.json",
       {http::verb::get},
       small},
      {RouteId::open311_service,
       "open311_service",
       "/open311/v2/services/*",
       {http::verb::get},
       small},
      {RouteId::open311_requests,
       "open311_requests",
       "/open311/v2/requests.json",
       {http::verb::get, http::verb::post},
       small},
      {RouteId::open311_request,
       "open311_request",
       "/open311/v2/requests/*",
       {http::verb::get},
       small},
  });
}

}  // namespace buurtlijn::gateway
