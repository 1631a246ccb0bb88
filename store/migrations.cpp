// See migrations.hpp. The schema lives here, as the list of migrations.
//
// Conventions: STRICT tables (SQLite >= 3.37), times in milliseconds since the Unix
// epoch (INTEGER), booleans as INTEGER 0/1 with a CHECK. Subjects are pseudonyms (a
// keyed hash of channel + address computed by the gateway): no table holds a raw phone
// number or chat address as a key.
#include "store/migrations.hpp"

#include <array>
#include <string>

#include "store/sqlite_error.hpp"
#include "store/transaction.hpp"

namespace buurtlijn::store {
namespace {

constexpr std::string_view kMigration1Core = R"sql(
CREATE TABLE subjects (
  id         INTEGER PRIMARY KEY,
  pseudonym  TEXT    NOT NULL UNIQUE,
  channel    TEXT    NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE conversations (
  id              INTEGER PRIMARY KEY,
  subject_id      INTEGER NOT NULL UNIQUE REFERENCES subjects (id),
  channel         TEXT    NOT NULL,
  language        TEXT    NOT NULL DEFAULT '',
  dialog_state    TEXT    NOT NULL DEFAULT '',
  paused_by_human INTEGER NOT NULL DEFAULT 0 CHECK (paused_by_human IN (0, 1)),
  version         INTEGER NOT NULL DEFAULT 0,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  last_inbound_at INTEGER
) STRICT;

-- Outbound rows have a NULL channel_message_id until the provider's id is known; NULLs
-- never collide in the UNIQUE constraint.
CREATE TABLE messages (
  id                 INTEGER PRIMARY KEY,
  conversation_id    INTEGER NOT NULL REFERENCES conversations (id),
  direction          TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
  text               TEXT    NOT NULL,
  channel            TEXT    NOT NULL,
  channel_message_id TEXT,
  created_at         INTEGER NOT NULL,
  UNIQUE (channel, channel_message_id)
) STRICT;
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);

-- conversation_id and message_id are NULL for a message that belongs to no
-- conversation (a broadcast to a subscriber who never wrote).
CREATE TABLE outbox (
  id                  INTEGER PRIMARY KEY,
  conversation_id     INTEGER REFERENCES conversations (id),
  message_id          INTEGER REFERENCES messages (id),
  channel             TEXT    NOT NULL,
  payload             TEXT    NOT NULL,
  status              TEXT    NOT NULL CHECK (status IN ('queued', 'inflight', 'sent',
                                                         'delivered', 'read', 'failed', 'dead')),
  attempts            INTEGER NOT NULL DEFAULT 0,
  next_attempt_at     INTEGER NOT NULL,
  provider_message_id TEXT,
  last_error          TEXT,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_conversation ON outbox (conversation_id, status);
CREATE INDEX outbox_by_message ON outbox (message_id);
)sql";

// check_writable() commits a row here with a few pages of zeros and deletes the older
// rows: committing it proves that the database can still grow and sync.
constexpr std::string_view kMigration2Heartbeat = R"sql(
CREATE TABLE heartbeat (
  id         INTEGER PRIMARY KEY,
  checked_at INTEGER NOT NULL,
  reserve    BLOB    NOT NULL
) STRICT;
)sql";

// The outbox worker: the reply address of each subject (the only place a raw phone
// number or chat id is kept, apart from everything else, deleted with the subject), our
// reference sent to the provider and echoed in its status callbacks, the subject of an
// item without a conversation (broadcasts), and the times of the status changes.
constexpr std::string_view kMigration3Outbox = R"sql(
CREATE TABLE contact_addresses (
  subject_id INTEGER PRIMARY KEY REFERENCES subjects (id) ON DELETE CASCADE,
  address    TEXT    NOT NULL
) STRICT;

ALTER TABLE outbox ADD COLUMN subject_id INTEGER REFERENCES subjects (id);
ALTER TABLE outbox ADD COLUMN reference TEXT;
ALTER TABLE outbox ADD COLUMN sent_at INTEGER;
ALTER TABLE outbox ADD COLUMN delivered_at INTEGER;
ALTER TABLE outbox ADD COLUMN read_at INTEGER;
CREATE INDEX outbox_by_reference ON outbox (channel, reference);
CREATE INDEX outbox_by_provider_id ON outbox (channel, provider_message_id);
)sql";

// Subscribers (opt-in / opt-out with when and how, and every change as an event), the
// hashed API keys of the notification API, and the notifications with their outbox
// items. Retention: subscribers and their events go with their subject (ON DELETE
// CASCADE); notifications keep no parameters (they may be personal), only the template
// and the segment asked for.
constexpr std::string_view kMigration4Notifications = R"sql(
CREATE TABLE subscribers (
  id              INTEGER PRIMARY KEY,
  subject_id      INTEGER NOT NULL UNIQUE REFERENCES subjects (id) ON DELETE CASCADE,
  channel         TEXT    NOT NULL,
  language        TEXT    NOT NULL DEFAULT '',
  second_language TEXT    NOT NULL DEFAULT '',
  area            TEXT    NOT NULL DEFAULT '',
  state           TEXT    NOT NULL CHECK (state IN ('pending', 'active', 'stopped')),
  asked_at        INTEGER,
  opted_in_at     INTEGER,
  opted_in_how    TEXT,
  opted_out_at    INTEGER,
  opted_out_how   TEXT,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX subscribers_by_segment ON subscribers (state, language, channel, area);

CREATE TABLE subscriber_topics (
  subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
  topic         TEXT    NOT NULL,
  PRIMARY KEY (subscriber_id, topic)
) STRICT, WITHOUT ROWID;

CREATE TABLE subscription_events (
  id         INTEGER PRIMARY KEY,
  subject_id INTEGER NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
  state      TEXT    NOT NULL,
  how        TEXT    NOT NULL,
  at         INTEGER NOT NULL
) STRICT;
CREATE INDEX subscription_events_by_subject ON subscription_events (subject_id, id);

CREATE TABLE api_keys (
  id         INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL UNIQUE,
  key_hash   TEXT    NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;

CREATE TABLE notifications (
  id         INTEGER PRIMARY KEY,
  api_key_id INTEGER REFERENCES api_keys (id),
  template   TEXT    NOT NULL,
  target     TEXT    NOT NULL,
  recipients INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
) STRICT;

ALTER TABLE outbox ADD COLUMN notification_id INTEGER REFERENCES notifications (id);
CREATE INDEX outbox_by_notification ON outbox (notification_id, channel, status);
)sql";

// The console: users (Argon2id hashes, never passwords), sessions (keyed by a hash of
// the cookie value), the append-only audit log (triggers refuse UPDATE and DELETE), the
// Buurtmaker's text edits as overrides over the built-in catalogs with every revision,
// texts flagged for review, and the hand-over inbox (one row per conversation).
// Retention: sessions are deleted when they expire; handovers go with their
// conversation; revisions and the audit log hold no message text of users.
constexpr std::string_view kMigration5AdminConsole = R"sql(
CREATE TABLE admin_users (
  id            INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL UNIQUE,
  role          TEXT    NOT NULL CHECK (role IN ('buurtmaker', 'enforcement', 'coordinator')),
  team          TEXT    NOT NULL DEFAULT '',
  password_hash TEXT    NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE admin_sessions (
  id_hash      TEXT    PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES admin_users (id) ON DELETE CASCADE,
  csrf_token   TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE audit_log (
  id        INTEGER PRIMARY KEY,
  at        INTEGER NOT NULL,
  user_id   INTEGER REFERENCES admin_users (id),
  user_name TEXT    NOT NULL,
  action    TEXT    NOT NULL,
  object    TEXT    NOT NULL,
  detail    TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE content_revisions (
  id         INTEGER PRIMARY KEY,
  language   TEXT    NOT NULL,
  key        TEXT    NOT NULL,
  text       TEXT    NOT NULL,
  previous   TEXT    NOT NULL,
  user_id    INTEGER REFERENCES admin_users (id),
  user_name  TEXT    NOT NULL,
  kind       TEXT    NOT NULL CHECK (kind IN ('edit', 'revert', 'import')),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX content_revisions_by_text ON content_revisions (language, key, id);

CREATE TABLE content_overrides (
  language    TEXT    NOT NULL,
  key         TEXT    NOT NULL,
  text        TEXT    NOT NULL,
  revision_id INTEGER NOT NULL REFERENCES content_revisions (id),
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (language, key)
) STRICT;

CREATE TABLE content_reviews (
  language           TEXT    NOT NULL,
  key                TEXT    NOT NULL,
  source_revision_id INTEGER NOT NULL REFERENCES content_revisions (id),
  flagged_at         INTEGER NOT NULL,
  PRIMARY KEY (language, key)
) STRICT;

CREATE TABLE handovers (
  conversation_id      INTEGER PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
  reason               TEXT    NOT NULL,
  state                TEXT    NOT NULL CHECK (state IN ('waiting', 'taken', 'released')),
  requested_at         INTEGER NOT NULL,
  taken_by             INTEGER REFERENCES admin_users (id),
  taken_at             INTEGER,
  released_at          INTEGER,
  last_read_message_id INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX handovers_by_state ON handovers (state, requested_at);
)sql";

// Nuisance reports and enforcement cases (issue 5). A case holds the state; each report
// keeps its own reporter (a subject, NULL when anonymous), channel and language. The
// case history is append-only (triggers refuse UPDATE and DELETE). Deadlines are met by
// the case's next transition. Personal data: reports.description, photo_ref and
// subject_id (retention: cleared 12 months after the case is closed). Coordinates are
// micro-degrees (INTEGER): 0.1 m, exact to compare.
constexpr std::string_view kMigration6Cases = R"sql(
CREATE TABLE cases (
  id              INTEGER PRIMARY KEY,
  category        TEXT    NOT NULL,
  path            TEXT    NOT NULL CHECK (path IN ('housing', 'short')),
  state           TEXT    NOT NULL,
  last_finding    TEXT    NOT NULL DEFAULT '',
  closed_outcome  TEXT    NOT NULL DEFAULT '',
  wijk_code       TEXT    NOT NULL,
  wijk_name       TEXT    NOT NULL,
  buurt_code      TEXT    NOT NULL,
  buurt_name      TEXT    NOT NULL,
  address_key     TEXT    NOT NULL DEFAULT '',
  latitude_e6     INTEGER,
  longitude_e6    INTEGER,
  team            TEXT    NOT NULL,
  target_days     INTEGER NOT NULL,
  target_on       TEXT    NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  last_report_at  INTEGER NOT NULL,
  first_action_at INTEGER,
  closed_at       INTEGER
) STRICT;
CREATE INDEX cases_open_by_category ON cases (category, state);

CREATE TABLE reports (
  id             INTEGER PRIMARY KEY,
  public_number  INTEGER NOT NULL UNIQUE,
  case_id        INTEGER NOT NULL REFERENCES cases (id),
  category       TEXT    NOT NULL,
  wijk_code      TEXT    NOT NULL,
  wijk_name      TEXT    NOT NULL,
  buurt_code     TEXT    NOT NULL,
  buurt_name     TEXT    NOT NULL,
  latitude_e6    INTEGER,
  longitude_e6   INTEGER,
  address        TEXT    NOT NULL DEFAULT '',
  postcode       TEXT    NOT NULL DEFAULT '',
  description    TEXT    NOT NULL DEFAULT '',
  photo_ref      TEXT    NOT NULL DEFAULT '',
  language       TEXT    NOT NULL,
  subject_id     INTEGER REFERENCES subjects (id) ON DELETE SET NULL,
  channel        TEXT    NOT NULL,
  wants_updates  INTEGER NOT NULL CHECK (wants_updates IN (0, 1)),
  source         TEXT    NOT NULL,
  attributes     TEXT    NOT NULL DEFAULT '{}',
  created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX reports_by_case ON reports (case_id);
CREATE INDEX reports_by_time ON reports (created_at);

CREATE TABLE case_events (
  id                 INTEGER PRIMARY KEY,
  case_id            INTEGER NOT NULL REFERENCES cases (id),
  from_state         TEXT    NOT NULL,
  to_state           TEXT    NOT NULL,
  actor              TEXT    NOT NULL,
  note               TEXT    NOT NULL DEFAULT '',
  data               TEXT    NOT NULL DEFAULT '{}',
  is_inspection      INTEGER NOT NULL DEFAULT 0 CHECK (is_inspection IN (0, 1)),
  is_official_report INTEGER NOT NULL DEFAULT 0 CHECK (is_official_report IN (0, 1)),
  counted_month      TEXT    NOT NULL,
  at                 INTEGER NOT NULL
) STRICT;
CREATE INDEX case_events_by_case ON case_events (case_id, id);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'the case history is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'the case history is append-only'); END;

CREATE TABLE case_deadlines (
  id       INTEGER PRIMARY KEY,
  case_id  INTEGER NOT NULL REFERENCES cases (id),
  event_id INTEGER NOT NULL REFERENCES case_events (id),
  kind     TEXT    NOT NULL,
  due_on   TEXT    NOT NULL,
  met_at   INTEGER
) STRICT;
CREATE INDEX case_deadlines_open ON case_deadlines (met_at, due_on);
)sql";

// Forwards of new cases to a team's other system (e-mail, Open311 client): one row per
// queued outbox item, so the remote id (Open311 service_request_id) stays with the case
// after the outbox row is purged. The trigger copies the id when the item is sent.
// Holds no personal data.
constexpr std::string_view kMigrationCaseForwards = R"sql(
CREATE TABLE case_forwards (
  id          INTEGER PRIMARY KEY,
  case_id     INTEGER NOT NULL REFERENCES cases (id),
  team        TEXT    NOT NULL,
  channel     TEXT    NOT NULL,
  outbox_id   INTEGER NOT NULL UNIQUE,
  remote_id   TEXT,
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER
) STRICT;
CREATE INDEX case_forwards_by_case ON case_forwards (case_id);
CREATE TRIGGER case_forwards_sent AFTER UPDATE OF status ON outbox
  WHEN NEW.status = 'sent' AND NEW.channel IN ('email', 'open311')
BEGIN
  UPDATE case_forwards SET remote_id = NEW.provider_message_id, sent_at = NEW.updated_at
   WHERE outbox_id = NEW.id;
END;
)sql";

// The message that completed a chat report, so that a provider's redelivery of that
// message (after a lost 200 or a crash between the report and the turn) finds the report
// made the first time. A WhatsApp message id encodes the sender's number, so it is
// cleared with the reporter's details (retention of closed reports, erasure).
constexpr std::string_view kMigrationReportSourceMessage = R"sql(
ALTER TABLE reports ADD COLUMN source_message TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX reports_by_source_message ON reports (source_message)
  WHERE source_message <> '';
)sql";

// Closed cases are anonymised after retention.case_anonymise_years (store/
// case_anonymise.hpp): the case history stays append-only except for that one update,
// which may only clear an event's note and actor and drop the inspectors' names from
// its data. Deleting stays refused.
constexpr std::string_view kMigrationCaseAnonymisation = R"sql(
DROP TRIGGER case_events_no_update;
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
WHEN NOT (NEW.id = OLD.id AND NEW.case_id = OLD.case_id AND NEW.from_state = OLD.from_state
          AND NEW.to_state = OLD.to_state AND NEW.is_inspection = OLD.is_inspection
          AND NEW.is_official_report = OLD.is_official_report
          AND NEW.counted_month = OLD.counted_month AND NEW.at = OLD.at
          AND NEW.note IN (OLD.note, '') AND NEW.actor IN (OLD.actor, '')
          AND (NEW.data = OLD.data OR NEW.data = json_remove(OLD.data, '$.inspectors')))
BEGIN SELECT RAISE(ABORT, 'the case history is append-only'); END;
)sql";

// Broadcasts composed in the console (admin/console_broadcasts.cpp), sent at once or
// scheduled: the source (a notification template or a dialog node), the segment, when
// it is due and what became of it (the notification it was queued as). Retention: the
// parameters (they may be personal) are kept only while the broadcast is scheduled and
// are cleared when it is queued, cancelled or fails; the rest holds no personal data.
constexpr std::string_view kMigrationBroadcasts = R"sql(
CREATE TABLE broadcasts (
  id              INTEGER PRIMARY KEY,
  source          TEXT    NOT NULL CHECK (source IN ('template', 'node')),
  source_key      TEXT    NOT NULL,
  params          TEXT    NOT NULL DEFAULT '{}',
  language        TEXT    NOT NULL DEFAULT '',
  area            TEXT    NOT NULL DEFAULT '',
  channel         TEXT    NOT NULL DEFAULT '',
  topic           TEXT    NOT NULL DEFAULT '',
  state           TEXT    NOT NULL CHECK (state IN ('scheduled', 'queued', 'cancelled', 'failed')),
  due_at          INTEGER NOT NULL,
  notification_id INTEGER REFERENCES notifications (id),
  reason          TEXT    NOT NULL DEFAULT '',
  created_by      TEXT    NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX broadcasts_due ON broadcasts (state, due_at);
)sql";

// The outbox worker's claim walks the queued items of one channel oldest first and stops
// at its limit: a partial index holds only the queued items, so a claim costs the same
// with a backlog of 100,000 replies as with 10 (before, every claim read and sorted the
// whole backlog).
constexpr std::string_view kMigrationOutboxQueuedIndex = R"sql(
CREATE INDEX outbox_queued_by_channel ON outbox (channel, id) WHERE status = 'queued';
)sql";

constexpr std::array<Migration, 11> kMigrations{{
    {1, kMigration1Core},
    {2, kMigration2Heartbeat},
    {3, kMigration3Outbox},
    {4, kMigration4Notifications},
    {5, kMigration5AdminConsole},
    {6, kMigration6Cases},
    {7, kMigrationCaseForwards},
    {8, kMigrationReportSourceMessage},
    {9, kMigrationCaseAnonymisation},
    {10, kMigrationBroadcasts},
    {11, kMigrationOutboxQueuedIndex},
}};

constexpr std::string_view kCreateLedger = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  applied_at INTEGER NOT NULL
) STRICT;
)sql";

Error with_context(const Error& error, const std::string& context) {
  return Error{error.code, context + ": " + error.message};
}

Result<bool> is_applied(SqliteConnection& db, std::int64_t version) {
  auto select = db.statement("SELECT 1 FROM schema_migrations WHERE version = :version");
  if (!select) {
    return tl::unexpected(select.error());
  }
  (*select)->bind(":version", version);
  return (*select)->step();
}

Result<void> apply(SqliteConnection& db, const Migration& migration, Millis now) {
  const std::string context = "migration " + std::to_string(migration.version);
  auto applied_before = is_applied(db, migration.version);
  if (!applied_before) {
    return tl::unexpected(with_context(applied_before.error(), context));
  }
  if (*applied_before) {
    return {};  // the usual case on every start but the first: no write lock needed
  }
  auto transaction = Transaction::begin(db);
  if (!transaction) {
    return tl::unexpected(with_context(transaction.error(), context));
  }
  // Another process may have applied it while we waited for the write lock.
  auto applied = is_applied(db, migration.version);
  if (!applied) {
    return tl::unexpected(with_context(applied.error(), context));
  }
  if (*applied) {
    return {};
  }
  if (auto ok = db.exec(migration.sql); !ok) {
    return tl::unexpected(with_context(ok.error(), context));
  }
  auto record = db.statement(
      "INSERT INTO schema_migrations (version, applied_at) VALUES (:version, :applied_at)");
  if (!record) {
    return tl::unexpected(with_context(record.error(), context));
  }
  (*record)->bind(":version", migration.version).bind(":applied_at", now);
  if (auto ok = (*record)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), context));
  }
  if (auto ok = transaction->commit(); !ok) {
    return tl::unexpected(with_context(ok.error(), context));
  }
  return {};
}

}  // namespace

std::span<const Migration> all_migrations() {
  return kMigrations;
}

Result<std::int64_t> schema_version(SqliteConnection& db) {
  auto select = db.statement("SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!select) {
    return tl::unexpected(select.error());
  }
  auto row = (*select)->step();
  if (!row) {
    return tl::unexpected(row.error());
  }
  return (*select)->column_int64(0);
}

Result<std::int64_t> migrate(SqliteConnection& db, std::span<const Migration> migrations,
                             Millis now) {
  if (auto ok = db.exec(kCreateLedger); !ok) {
    return tl::unexpected(with_context(ok.error(), "create schema_migrations"));
  }
  const std::int64_t known = migrations.empty() ? 0 : migrations.back().version;
  auto found = schema_version(db);
  if (!found) {
    return tl::unexpected(found.error());
  }
  if (*found > known) {
    return fail(Error::Code::too_new,
                "the database has schema version " + std::to_string(*found) +
                    " but this buurtlijn knows versions up to " + std::to_string(known) +
                    "; it was written by a newer buurtlijn: upgrade, or restore a backup made "
                    "by this version");
  }
  for (const Migration& migration : migrations) {
    if (auto ok = apply(db, migration, now); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  return schema_version(db);
}

}  // namespace buurtlijn::store
