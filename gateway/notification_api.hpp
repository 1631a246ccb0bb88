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
#include "store/broadcast_store.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

struct App;

// A WhatsApp recipient can get a free-form message only within 24 hours of its last message.
inline constexpr store::Millis kWhatsappWindow = 24LL * 60 * 60 * 1000;

// How one recipient is reached (pure): directly; outside the WhatsApp window through the
// approved template mapped to the notification's key; or not at all (skipped, counted).
enum class RecipientRoute { direct, whatsapp_template, skipped };
RecipientRoute route_recipient(std::string_view channel, store::Millis last_inbound_at,
                               store::Millis now, bool has_template);
// The approved WhatsApp template of the request (notifications.whatsapp_templates), or
// nullptr (a dialog node's answer never has one).
const WhatsappTemplate* whatsapp_template_for(const NotificationRequest& request,
                                              const Config& config);

// The request's text in `language` (with its fallback chain): the template from the
// catalog, or the answer of request.node_id from `content` (may be null for templates).
tl::expected<dialogs::LocalizedText, RequestProblem> render_notification_text(
    const NotificationRequest& request, std::string_view language, std::string_view second_language,
    const dialogs::NotificationCatalog& catalog, const dialogs::Content* content);

// The outbox rows for `recipients` (pure): each distinct payload once, each recipient
// routed by route_recipient().
struct BuiltBatch {
  store::NotificationBatch batch;
  std::size_t skipped = 0;
};
tl::expected<BuiltBatch, RequestProblem> build_notification_batch(
    const NotificationRequest& request, const std::vector<store::NotificationRecipient>& recipients,
    const dialogs::NotificationCatalog& catalog, const Config& config, store::Millis now,
    const dialogs::Content* content = nullptr);

// What a send would queue (pure), from the store's recipient counts
// (BroadcastStore::count_recipients with the window start of `now`), by the same rule.
struct NotificationPreview {
  struct Channel {
    std::string channel;
    std::int64_t direct = 0;
    std::int64_t whatsapp_template = 0;
    std::int64_t skipped = 0;
  };
  std::vector<Channel> channels;                                // by channel name
  std::vector<std::pair<std::string, std::int64_t>> languages;  // recipients reached, by language
  std::int64_t recipients = 0;                                  // reached
  std::int64_t skipped = 0;
};
NotificationPreview preview_counts(const std::vector<store::RecipientGroup>& groups,
                                   bool has_whatsapp_template);

// The one path from a parsed request to its outbox batch, for the API and the console:
// reads the recipients, refuses none (422 no_recipients) or too many (422
// too_many_recipients) or an unreadable store (503), and builds the batch. The caller
// stores it in one write transaction (Store::queue_notification or BroadcastStore::queue).
tl::expected<BuiltBatch, RequestProblem> prepare_notification(App& app,
                                                              const NotificationRequest& request,
                                                              store::Millis now);

// {"id":..,"template":..,"recipients":..,"states":{..},"channels":{"whatsapp":{..}}}
std::string notification_counts_json(const store::NotificationCounts& counts);

boost::asio::awaitable<Response> handle_create_notification(App& app, const Request& request);
Response handle_notification_status(App& app, const Request& request, std::string_view id);

// The notification catalogs in `locales_dir`/notifications, or the built-in copy.
tl::expected<std::shared_ptr<const dialogs::NotificationCatalog>, std::string>
load_notification_catalog(const std::string& locales_dir);

}  // namespace buurtlijn::gateway
