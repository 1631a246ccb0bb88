// The console's Broadcasts pages (console_broadcasts.cpp) and what they need from the
// running server: composing a broadcast from a notification template or a dialog
// node's answer, a segment of active subscribers, the preview (texts per language and
// the recipients per channel and language, counted by the store before sending), send
// now or schedule (Europe/Amsterdam shown, UTC stored), cancel, and the progress.
//
// BroadcastHost is implemented by the gateway (gateway/broadcasts.hpp) over the same
// code path as the notification API, so a console broadcast and an API notification are
// checked, built and queued by one function. The free functions here are pure.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "admin/security.hpp"
#include "dialogs/notification_catalog.hpp"
#include "store/admin_store.hpp"
#include "store/broadcast_store.hpp"

namespace buurtlijn::admin {

using Params = std::map<std::string, std::string, std::less<>>;

// What the Buurtmaker composed (not yet checked).
struct BroadcastDraft {
  std::string source;  // template, node
  std::string key;     // template key or node id
  Params params;
  store::NotificationTarget segment;  // language, area, channel, topic; "" = any
};

struct BroadcastPreview {
  struct Channel {
    std::string channel;
    std::int64_t direct = 0;             // get the text itself
    std::int64_t whatsapp_template = 0;  // WhatsApp, outside 24 hours: the approved template
    std::int64_t skipped = 0;            // WhatsApp, outside 24 hours, no template: nothing
  };
  struct Text {
    std::string language;        // the subscribers' language
    std::string shown_language;  // the language of the text (differs on a fallback)
    std::string text;
    bool right_to_left = false;
  };
  std::vector<Channel> channels;
  std::vector<std::pair<std::string, std::int64_t>> languages;  // reached, by language
  std::int64_t recipients = 0;                                  // reached in all
  std::int64_t skipped = 0;
  std::vector<Text> texts;
};

// A refusal: `code` names the console text broadcast.error.<code>; `detail` is the
// technical reason (English, for the log and a tooltip).
struct BroadcastProblem {
  std::string code;
  std::string detail;
};

class BroadcastHost {
 public:
  virtual ~BroadcastHost() = default;
  // The notification templates (for the compose form); null when none are loaded.
  virtual std::shared_ptr<const dialogs::NotificationCatalog> catalog() const = 0;
  // Checks the draft (normalising its segment: "sms" is "kannel") and counts what a
  // send at `now` would queue.
  virtual tl::expected<BroadcastPreview, BroadcastProblem> preview(BroadcastDraft& draft,
                                                                   Millis now) = 0;
  // Queues the draft now, in one transaction with its console row and audit row; with
  // `scheduled_id` the scheduled broadcast of that id (refused with "not_scheduled" when
  // it was cancelled meanwhile).
  virtual tl::expected<store::BroadcastQueued, BroadcastProblem> send(const BroadcastDraft& draft,
                                                                      std::int64_t scheduled_id,
                                                                      const store::Actor& actor,
                                                                      Millis now) = 0;
  // The wijk and buurt names of the area map (empty without one), for the area field.
  virtual std::vector<std::string> area_names() const = 0;
  virtual store::BroadcastStore& store() = 0;
  // The outbox items of a notification per state and channel.
  virtual store::Result<std::optional<store::NotificationCounts>> counts(
      std::int64_t notification_id) = 0;
};

// The draft in a console form: source "template:<key>" or "node:<id>", parameters as
// "param.<name>", and the segment fields language, area, channel, topic (trimmed).
BroadcastDraft draft_from_form(const std::map<std::string, std::string, std::less<>>& form);
// The draft of a stored broadcast, and the parameters as kept with a scheduled one.
BroadcastDraft draft_from_record(const store::BroadcastRecord& record);
std::string params_to_json(const Params& params);
Params params_from_json(std::string_view text);  // {} for anything that is not an object

// A local date and time in Europe/Amsterdam ("2026-12-01T14:30", as <input
// type="datetime-local"> sends it) as UTC milliseconds; nullopt when malformed. A time
// skipped by the summer-time change counts as the hour after; a repeated one as the first.
std::optional<Millis> amsterdam_to_utc(std::string_view local);
// "2026-12-01 14:30" in Europe/Amsterdam, and the same for <input type="datetime-local">.
std::string format_amsterdam(Millis at);
std::string amsterdam_input_value(Millis at);

}  // namespace buurtlijn::admin
