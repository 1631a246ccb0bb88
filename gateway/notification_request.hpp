// The notification API's request body, validated: pure (JSON text and the catalog in,
// a request or a named problem out), so that every refusal is unit-tested.
//
//   {"template": "office_hours",
//    "params": {"day": "dinsdag", "hours": "9-12", "place": "Keizerstraat"},
//    "segment": {"language": "ro", "area": "", "channel": "whatsapp", "topic": ""}}
// or "subject": "<pseudonym>" instead of "segment".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "dialogs/notification_catalog.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

struct NotificationRequest {
  std::string template_key;  // a notification template, or "node:<id>" with node_id set
  std::string node_id;       // a dialog node whose answer text is sent (console broadcasts)
  std::map<std::string, std::string, std::less<>> params;
  store::NotificationTarget target;  // subject_pseudonym set, or the segment fields
  std::string target_json;           // what was asked, for the notifications table
};

struct RequestProblem {
  unsigned status = 400;
  std::string error;    // machine-readable: malformed_json, unknown_template, ...
  std::string message;  // for the caller: names the field or parameter
};

// Channels a segment may name ("sms" is accepted for "kannel").
inline constexpr std::string_view kNotificationChannels[] = {"whatsapp", "telegram", "kannel"};

tl::expected<NotificationRequest, RequestProblem> parse_notification_request(
    std::string_view body, const dialogs::NotificationCatalog& catalog);

// Checks a segment (language known, channel known, "sms" -> "kannel", at least one
// field set): nullopt when it is fine, else the problem (invalid_segment, empty_segment).
std::optional<RequestProblem> check_segment(store::NotificationTarget& segment,
                                            const dialogs::NotificationCatalog& catalog);
// {"language":..,"area":..,"channel":..,"topic":..}: the segment as kept with a notification.
std::string segment_json(const store::NotificationTarget& segment);

// The token of "Authorization: Bearer <token>"; empty when the header is not that.
std::string_view bearer_token(std::string_view authorization);

}  // namespace buurtlijn::gateway
