// The notification API: POST /api/v1/notifications queues a notification for one
// subject or a segment of active subscribers, each in their own language, through the
// outbox; GET /api/v1/notifications/{id} counts its outbox items per state and channel.
// Both need "Authorization: Bearer <key>" (gateway/api_keys.hpp).
//
// Answers: 202 {"id":..,"recipients":N,"skipped":M} (M: WhatsApp recipients outside the
// 24-hour window for whose template no approved WhatsApp template is configured);
// 401 missing or invalid key; 400 malformed JSON, unknown template, missing or unknown
// parameter, a segment that names nothing; 422 a valid request that reaches nobody (no
// active subscriber matches, or the subject is not subscribed) or more than
// notifications.max_recipients: the request is well-formed, there is just nothing (or
// too much) to send, which a client should not retry unchanged; 404 unknown id.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "dialogs/notification_catalog.hpp"
#include "gateway/config.hpp"
#include "gateway/http_responses.hpp"
#include "gateway/notification_request.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

struct App;

// The outbox rows for `recipients` (pure): each distinct payload once. A WhatsApp
// recipient whose last inbound message is older than 24 hours (at `now`) gets the
// approved template mapped to the key; without a mapping it is skipped (counted).
struct BuiltBatch {
  store::NotificationBatch batch;
  std::size_t skipped = 0;
};
tl::expected<BuiltBatch, RequestProblem> build_notification_batch(
    const NotificationRequest& request, const std::vector<store::NotificationRecipient>& recipients,
    const dialogs::NotificationCatalog& catalog, const Config& config, store::Millis now);

// {"id":..,"template":..,"recipients":..,"states":{..},"channels":{"whatsapp":{..}}}
std::string notification_counts_json(const store::NotificationCounts& counts);

boost::asio::awaitable<Response> handle_create_notification(App& app, const Request& request);
Response handle_notification_status(App& app, const Request& request, std::string_view id);

// The notification catalogs in `locales_dir`/notifications, or the built-in copy.
tl::expected<std::shared_ptr<const dialogs::NotificationCatalog>, std::string>
load_notification_catalog(const std::string& locales_dir);

}  // namespace buurtlijn::gateway
