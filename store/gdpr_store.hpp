// A person's rights (AVG/GDPR articles 15 and 17) over what the store holds about one
// subject: everything exported as rows per table, a short summary for the chat, and the
// erasure. Export and erasure run as one job of the store's single writer (one
// transaction: a consistent snapshot, or everything erased or nothing) and append
// their audit_log row in that same transaction. The audit row names the subject by its
// pseudonym and counts only: never message text, never an address.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "store/store.hpp"

namespace buurtlijn::store {

// One stored value: NULL, an integer or a text.
using GdprValue = std::variant<std::monostate, std::int64_t, std::string>;

struct GdprTable {
  std::string name;                                                  // the table, e.g. "messages"
  std::vector<std::vector<std::pair<std::string, GdprValue>>> rows;  // column -> value
};

struct GdprExport {
  bool found = false;  // false when no subject has the pseudonym
  std::vector<GdprTable> tables;
};

// What an erasure removed (rows per kind); reports are anonymised, not removed.
struct GdprErasure {
  bool found = false;
  std::int64_t messages = 0;
  std::int64_t outbox_items = 0;
  std::int64_t contact_addresses = 0;
  std::int64_t subscribers = 0;
  std::int64_t subscription_events = 0;
  std::int64_t handovers = 0;
  std::int64_t conversations = 0;
  std::int64_t reports_anonymised = 0;
};

// Counts for "what do you store about me".
struct GdprSummary {
  bool found = false;
  std::int64_t messages = 0;
  bool contact_address = false;  // a phone number or chat id is kept to reply
  bool subscribed = false;       // an active subscriber
  std::int64_t reports = 0;      // reports still linked to the subject
};

// Who asked, for the audit log: "cli", a console user name, or "chat".
struct GdprActor {
  std::string name;
};

// Each fails with invalid when `store` is not the SQLite store. `done` runs on the
// writer thread after the transaction committed (or failed).
void gdpr_export(Store& store, std::string subject_pseudonym, GdprActor actor, Millis now,
                 std::function<void(Result<GdprExport>)> done);
void gdpr_erase(Store& store, std::string subject_pseudonym, GdprActor actor, Millis now,
                std::function<void(Result<GdprErasure>)> done);
// A read on the calling thread; no audit row (the person asks about themself).
Result<GdprSummary> gdpr_summary(Store& store, std::string_view subject_pseudonym);

}  // namespace buurtlijn::store
