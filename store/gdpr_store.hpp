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
  // The stored photos ("photo:<id>" references) the anonymised reports pointed at: the
  // caller deletes their files (gateway/photo_files.hpp), at once rather than at the
  // next retention sweep.
  std::vector<std::string> photo_ids;
};

// Counts for "what do you store about me".
struct GdprSummary {
  bool found = false;
  std::int64_t messages = 0;                 // both directions
  std::int64_t messages_from_subject = 0;    // what the person wrote (direction 'in')
  bool contact_address = false;              // a phone number or chat id is kept to reply
  bool subscribed = false;                   // an active subscriber
  std::int64_t reports = 0;                  // reports still linked to the subject
  std::vector<std::int64_t> report_numbers;  // their public numbers, oldest first
};

// The last reply of an erasure asked for in the chat ("your data has been deleted"):
// queued for the outbox after the erasure, with only what sending it needs (a subject
// row, the reply address, the outbox items). Retention removes those once the items
// are final (retention_writes.cpp, "farewell"). Web chat needs no outbox item: its
// session sends the reply itself.
struct GdprFarewell {
  std::string channel;
  std::string contact_address;        // empty: nothing is queued
  std::vector<std::string> payloads;  // outbox payloads, as run_turn renders them
};

struct GdprChatErasure {
  GdprErasure erased;
  std::vector<std::int64_t> outbox_ids;  // the farewell's items, in payload order
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
// A read on the calling thread; no audit row.
Result<GdprSummary> gdpr_summary(Store& store, std::string_view subject_pseudonym);

// The chat's requests: the summary read in a writer job that also appends its audit row
// (action gdpr.summary, counts only), and the erasure followed by the farewell in the
// same transaction (audit action gdpr.erase, as the CLI's).
void gdpr_summary_audited(Store& store, std::string subject_pseudonym, GdprActor actor, Millis now,
                          std::function<void(Result<GdprSummary>)> done);
void gdpr_erase_with_farewell(Store& store, std::string subject_pseudonym, GdprActor actor,
                              Millis now, GdprFarewell farewell,
                              std::function<void(Result<GdprChatErasure>)> done);

}  // namespace buurtlijn::store
