// See retention_writes.hpp.
//
// Rows are found oldest first by id, not by a created_at index: ids grow with time (rows
// are written at the time they record), so the rows past their period are the ids below
// the first id that is still young. Finding that boundary reads from the smallest id up
// to the first young row, which after the first clean-up is the first row.
#include "store/retention_writes.hpp"

#include <string>

#include "store/sqlite_error.hpp"

namespace buurtlijn::store {
namespace {

Error with_context(const Error& error, const std::string& context) {
  return Error{error.code, context + ": " + error.message};
}

// Runs a statement with :cutoff and :limit (and :now when present) and returns the
// number of rows it changed.
Result<std::int64_t> run_delete(SqliteConnection& db, std::string_view sql, Millis cutoff,
                                std::int64_t limit, const char* what) {
  auto statement = db.statement(sql);
  if (!statement) return tl::unexpected(with_context(statement.error(), what));
  (*statement)->bind(":cutoff", cutoff).bind(":limit", limit);
  auto done = (*statement)->step();
  if (!done) return tl::unexpected(with_context(done.error(), what));
  return db.changes();
}

// Outbox rows hold the rendered reply text: they go with the message texts, once the
// item has reached a final state (an item still queued or in flight is left alone).
constexpr std::string_view kDeleteOutbox = R"sql(
DELETE FROM outbox WHERE id IN (
  SELECT id FROM outbox
  WHERE id < coalesce((SELECT id FROM outbox WHERE created_at >= :cutoff ORDER BY id LIMIT 1),
                      9223372036854775807)
    AND status IN ('sent', 'delivered', 'read', 'failed', 'dead')
  ORDER BY id LIMIT :limit))sql";

constexpr std::string_view kDeleteMessages = R"sql(
DELETE FROM messages WHERE id IN (
  SELECT m.id FROM messages m
  WHERE m.id < coalesce((SELECT id FROM messages WHERE created_at >= :cutoff ORDER BY id LIMIT 1),
                        9223372036854775807)
    AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
  ORDER BY m.id LIMIT :limit))sql";

// The raw phone number or chat id of a person who has not written for the period: kept
// only to reply, so it goes; a returning person is recognised again by the pseudonym and
// the address comes back with their next message. An active subscriber keeps
// theirs: broadcasts need it.
constexpr std::string_view kDeleteContacts = R"sql(
DELETE FROM contact_addresses WHERE subject_id IN (
  SELECT a.subject_id FROM contact_addresses a
  JOIN conversations c ON c.subject_id = a.subject_id
  WHERE coalesce(c.last_inbound_at, c.updated_at) < :cutoff
    AND NOT EXISTS (SELECT 1 FROM outbox o
                    WHERE (o.subject_id = a.subject_id OR o.conversation_id = c.id)
                      AND o.status IN ('queued', 'inflight'))
    AND NOT EXISTS (SELECT 1 FROM subscribers s
                    WHERE s.subject_id = a.subject_id AND s.state = 'active')
  LIMIT :limit))sql";

// A subscription that was stopped (or asked about and never answered) is kept for the
// period as the record of the person's choice, then goes with its topics.
constexpr std::string_view kDeleteSubscribers = R"sql(
DELETE FROM subscribers WHERE id IN (
  SELECT id FROM subscribers
  WHERE state != 'active' AND coalesce(opted_out_at, asked_at, updated_at) < :cutoff
  LIMIT :limit))sql";

// The history of opt-ins and opt-outs proves consent while a subscription is active; once
// it is not, its events go after the period.
constexpr std::string_view kDeleteSubscriptionEvents = R"sql(
DELETE FROM subscription_events WHERE id IN (
  SELECT e.id FROM subscription_events e
  WHERE e.at < :cutoff
    AND NOT EXISTS (SELECT 1 FROM subscribers s
                    WHERE s.subject_id = e.subject_id AND s.state = 'active')
  LIMIT :limit))sql";

// What a conversation was in the middle of (a half-filled form may hold what the person
// typed) is forgotten with the texts.
constexpr std::string_view kResetDialogState = R"sql(
UPDATE conversations SET dialog_state = '', version = version + 1
WHERE id IN (SELECT id FROM conversations
             WHERE dialog_state != '' AND coalesce(last_inbound_at, updated_at) < :cutoff
             LIMIT :limit))sql";

// Console sessions past their expiry (the console also refuses them; this removes them).
constexpr std::string_view kDeleteExpiredSessions = R"sql(
DELETE FROM admin_sessions WHERE id_hash IN (
  SELECT id_hash FROM admin_sessions WHERE expires_at < :cutoff LIMIT :limit))sql";

// An inbox entry the Buurtmaker released, once the texts it pointed at are gone.
constexpr std::string_view kDeleteReleasedHandovers = R"sql(
DELETE FROM handovers WHERE conversation_id IN (
  SELECT conversation_id FROM handovers
  WHERE state = 'released' AND coalesce(released_at, requested_at) < :cutoff LIMIT :limit))sql";

// A subject erased in the chat keeps, for its last reply ("your data has been deleted"),
// only a subject row, the reply address and that reply's outbox items
// (gdpr_erase_with_farewell). Once the items are final they go, and then the subject
// with its address. A subject is such a farewell when nothing else refers to it: no
// conversation, subscriber, subscription history or report.
constexpr std::string_view kFarewellSubject = R"sql(
  NOT EXISTS (SELECT 1 FROM conversations c WHERE c.subject_id = s.id)
  AND NOT EXISTS (SELECT 1 FROM subscribers b WHERE b.subject_id = s.id)
  AND NOT EXISTS (SELECT 1 FROM subscription_events e WHERE e.subject_id = s.id)
  AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.subject_id = s.id))sql";

const std::string& delete_farewell_outbox() {
  static const std::string sql = R"sql(
DELETE FROM outbox WHERE id IN (
  SELECT o.id FROM outbox o JOIN subjects s ON s.id = o.subject_id
  WHERE o.conversation_id IS NULL AND o.status IN ('sent', 'delivered', 'read', 'failed', 'dead')
    AND o.created_at >= :cutoff AND)sql" +
                                 std::string(kFarewellSubject) + " LIMIT :limit)";
  return sql;
}

const std::string& delete_farewell_contacts() {
  static const std::string sql =
      R"sql(
DELETE FROM contact_addresses WHERE subject_id IN (
  SELECT s.id FROM subjects s
  WHERE s.created_at >= :cutoff AND)sql" +
      std::string(kFarewellSubject) +
      " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.subject_id = s.id) LIMIT :limit)";
  return sql;
}

const std::string& delete_farewell_subjects() {
  static const std::string sql =
      R"sql(
DELETE FROM subjects WHERE id IN (
  SELECT s.id FROM subjects s
  WHERE s.created_at >= :cutoff AND)sql" +
      std::string(kFarewellSubject) +
      " AND NOT EXISTS (SELECT 1 FROM contact_addresses a WHERE a.subject_id = s.id)"
      " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.subject_id = s.id) LIMIT :limit)";
  return sql;
}

}  // namespace

Result<RetentionOutcome> write_retention(SqliteConnection& db, const RetentionPolicy& policy,
                                         Millis now) {
  RetentionOutcome outcome;
  const auto limit = static_cast<std::int64_t>(policy.batch_rows);
  const Millis text_cutoff = now - policy.message_text_age;
  const Millis contact_cutoff = now - policy.contact_idle_age;

  auto outbox = run_delete(db, kDeleteOutbox, text_cutoff, limit, "retention: outbox");
  if (!outbox) return tl::unexpected(outbox.error());
  auto messages = run_delete(db, kDeleteMessages, text_cutoff, limit, "retention: messages");
  if (!messages) return tl::unexpected(messages.error());
  auto states = run_delete(db, kResetDialogState, text_cutoff, limit, "retention: dialog state");
  if (!states) return tl::unexpected(states.error());
  auto contacts = run_delete(db, kDeleteContacts, contact_cutoff, limit, "retention: contacts");
  if (!contacts) return tl::unexpected(contacts.error());
  auto subscribers =
      run_delete(db, kDeleteSubscribers, contact_cutoff, limit, "retention: subscribers");
  if (!subscribers) return tl::unexpected(subscribers.error());
  auto events = run_delete(db, kDeleteSubscriptionEvents, contact_cutoff, limit,
                           "retention: subscription events");
  if (!events) return tl::unexpected(events.error());
  auto sessions = run_delete(db, kDeleteExpiredSessions, now, limit, "retention: console sessions");
  if (!sessions) return tl::unexpected(sessions.error());
  auto handovers =
      run_delete(db, kDeleteReleasedHandovers, text_cutoff, limit, "retention: handovers");
  if (!handovers) return tl::unexpected(handovers.error());

  // Farewells: at any age (the cutoff 0 takes all), the items first, then the address,
  // then the subject.
  auto farewell_items =
      run_delete(db, delete_farewell_outbox(), 0, limit, "retention: farewell items");
  if (!farewell_items) return tl::unexpected(farewell_items.error());
  auto farewell_contacts =
      run_delete(db, delete_farewell_contacts(), 0, limit, "retention: farewell addresses");
  if (!farewell_contacts) return tl::unexpected(farewell_contacts.error());
  auto farewells =
      run_delete(db, delete_farewell_subjects(), 0, limit, "retention: farewell subjects");
  if (!farewells) return tl::unexpected(farewells.error());

  outcome.farewells = *farewells;
  outcome.outbox_items = *outbox + *farewell_items;
  outcome.messages = *messages;
  outcome.dialog_states = *states;
  outcome.contact_addresses = *contacts + *farewell_contacts;
  outcome.subscribers = *subscribers;
  outcome.subscription_events = *events;
  outcome.admin_sessions = *sessions;
  outcome.handovers = *handovers;
  outcome.more = *outbox == limit || *messages == limit || *states == limit || *contacts == limit ||
                 *subscribers == limit || *events == limit || *sessions == limit ||
                 *handovers == limit || *farewell_items == limit || *farewell_contacts == limit ||
                 *farewells == limit;
  return outcome;
}

}  // namespace buurtlijn::store
