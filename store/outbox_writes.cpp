// The SQL of the outbox worker's writes (see outbox_writes.hpp). Runs on the writer
// thread only, inside the savepoint the writer opened for the job.
#include "store/outbox_writes.hpp"

#include <algorithm>

#include "store/sqlite_error.hpp"

namespace buurtlijn::store {
namespace {

Error with_context(const Error& error, std::string_view context) {
  return Error{error.code, std::string(context) + ": " + error.message};
}

// The oldest unsent item of each conversation only: an item waits while an older item
// of its conversation is queued or in flight. The walk goes through the partial index
// outbox_queued_by_channel in id order and stops at the limit; the unary + keeps the
// planner from choosing outbox_due for the time range instead, which reads and sorts
// every queued item (a claim then cost milliseconds per 10,000 queued replies).
constexpr std::string_view kSelectDueSql = R"sql(
  SELECT o.id, coalesce(o.conversation_id, 0), o.channel, o.payload, coalesce(a.address, '')
    FROM outbox o
    LEFT JOIN conversations c ON c.id = o.conversation_id
    LEFT JOIN contact_addresses a ON a.subject_id = coalesce(o.subject_id, c.subject_id)
   WHERE o.status = 'queued' AND o.channel = :channel AND +o.next_attempt_at <= :now
     AND NOT EXISTS (SELECT 1 FROM outbox p
                      WHERE p.conversation_id = o.conversation_id AND p.id < o.id
                        AND p.status IN ('queued', 'inflight'))
   ORDER BY o.id
   LIMIT :limit)sql";

constexpr std::string_view kMarkInflightSql = R"sql(
  UPDATE outbox
     SET status = 'inflight', attempts = attempts + 1, updated_at = :now,
         reference = coalesce(reference, CAST(id AS TEXT))
   WHERE id = :id AND status = 'queued'
  RETURNING attempts, reference)sql";

Result<void> claim_channel(SqliteConnection& db, const std::string& channel, std::size_t limit,
                           Millis now, std::vector<ClaimedOutboxItem>& claimed) {
  const std::size_t first = claimed.size();
  {
    auto select = db.statement(kSelectDueSql);
    if (!select) {
      return tl::unexpected(select.error());
    }
    auto& s = **select;
    s.bind(":channel", channel).bind(":now", now).bind(":limit", static_cast<std::int64_t>(limit));
    for (;;) {
      auto row = s.step();
      if (!row) {
        return tl::unexpected(with_context(row.error(), "select due outbox items"));
      }
      if (!*row) {
        break;
      }
      ClaimedOutboxItem item;
      item.id = s.column_int64(0);
      item.conversation_id = s.column_int64(1);
      item.channel = s.column_text(2);
      item.payload_json = s.column_text(3);
      item.address = s.column_text(4);
      claimed.push_back(std::move(item));
    }
  }
  for (std::size_t i = first; i < claimed.size(); ++i) {
    auto update = db.statement(kMarkInflightSql);
    if (!update) {
      return tl::unexpected(update.error());
    }
    (*update)->bind(":now", now).bind(":id", claimed[i].id);
    auto row = (*update)->step();
    if (!row) {
      return tl::unexpected(with_context(row.error(), "mark outbox item inflight"));
    }
    if (!*row) {
      return fail(Error::Code::internal,
                  "claim outbox: item " + std::to_string(claimed[i].id) + " changed meanwhile");
    }
    claimed[i].attempts = static_cast<int>((*update)->column_int64(0));
    claimed[i].reference = (*update)->column_text(1);
  }
  return {};
}

void bind_text_or_null(SqliteStatement& statement, std::string_view name, const std::string& text) {
  if (text.empty()) {
    statement.bind_null(name);
  } else {
    statement.bind(name, text);
  }
}

std::string_view outcome_sql(OutboxOutcome::Kind kind) {
  switch (kind) {
    case OutboxOutcome::Kind::sent:
      // A status callback may have moved the item on already; keep its state then.
      return R"sql(
        UPDATE outbox
           SET status = CASE WHEN status IN ('queued', 'inflight') THEN 'sent' ELSE status END,
               provider_message_id = coalesce(:provider_message_id, provider_message_id),
               sent_at = coalesce(sent_at, :now), last_error = NULL, updated_at = :now
         WHERE id = :id)sql";
    case OutboxOutcome::Kind::retry:
      return R"sql(
        UPDATE outbox SET status = 'queued', next_attempt_at = :next_attempt_at,
                          last_error = :error, updated_at = :now
         WHERE id = :id AND status = 'inflight')sql";
    case OutboxOutcome::Kind::failed:
      return R"sql(
        UPDATE outbox SET status = 'failed', last_error = :error, updated_at = :now
         WHERE id = :id AND status = 'inflight')sql";
    case OutboxOutcome::Kind::dead:
      return R"sql(
        UPDATE outbox SET status = 'dead', last_error = :error, updated_at = :now
         WHERE id = :id AND status = 'inflight')sql";
    case OutboxOutcome::Kind::released:
      return R"sql(
        UPDATE outbox SET status = 'queued', attempts = max(attempts - 1, 0),
                          next_attempt_at = :now, updated_at = :now
         WHERE id = :id AND status = 'inflight')sql";
  }
  return {};
}

// Order of the states a status callback may move an item through.
int rank_of(std::string_view status) {
  if (status == "sent") return 1;
  if (status == "delivered") return 2;
  if (status == "read") return 3;
  return 0;  // queued, inflight, failed, dead
}

struct FoundItem {
  std::int64_t id = 0;
  std::string status;
};

Result<std::optional<FoundItem>> find_item(SqliteConnection& db, std::string_view sql,
                                           const std::string& channel, const std::string& key) {
  auto select = db.statement(sql);
  if (!select) {
    return tl::unexpected(select.error());
  }
  (*select)->bind(":channel", channel).bind(":key", key);
  auto row = (*select)->step();
  if (!row) {
    return tl::unexpected(with_context(row.error(), "find outbox item for a status"));
  }
  if (!*row) {
    return std::optional<FoundItem>{};
  }
  return std::optional<FoundItem>{FoundItem{(*select)->column_int64(0), (*select)->column_text(1)}};
}

}  // namespace

Result<std::vector<ClaimedOutboxItem>> write_claim_outbox(SqliteConnection& db,
                                                          const std::vector<std::string>& channels,
                                                          std::size_t limit, Millis now) {
  std::vector<ClaimedOutboxItem> claimed;
  for (const std::string& channel : channels) {
    if (claimed.size() >= limit) {
      break;
    }
    if (channel == "webchat") {
      continue;  // the web chat answers over its socket, never through the worker
    }
    if (auto ok = claim_channel(db, channel, limit - claimed.size(), now, claimed); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  return claimed;
}

Result<void> write_outbox_outcomes(SqliteConnection& db, const std::vector<OutboxOutcome>& outcomes,
                                   Millis now) {
  for (const OutboxOutcome& outcome : outcomes) {
    auto update = db.statement(outcome_sql(outcome.kind));
    if (!update) {
      return tl::unexpected(update.error());
    }
    auto& s = **update;
    s.bind(":id", outcome.id).bind(":now", now);
    switch (outcome.kind) {
      case OutboxOutcome::Kind::sent:
        bind_text_or_null(s, ":provider_message_id", outcome.provider_message_id);
        break;
      case OutboxOutcome::Kind::retry:
        s.bind(":next_attempt_at", outcome.next_attempt_at).bind(":error", outcome.error);
        break;
      case OutboxOutcome::Kind::failed:
      case OutboxOutcome::Kind::dead:
        s.bind(":error", outcome.error);
        break;
      case OutboxOutcome::Kind::released:
        break;
    }
    if (auto ok = s.run(); !ok) {
      return tl::unexpected(
          with_context(ok.error(), "record outcome of outbox item " + std::to_string(outcome.id)));
    }
  }
  return {};
}

Result<bool> write_outbox_status(SqliteConnection& db, const OutboxStatusUpdate& update) {
  std::optional<FoundItem> item;
  if (!update.reference.empty()) {
    auto found =
        find_item(db, "SELECT id, status FROM outbox WHERE channel = :channel AND reference = :key",
                  update.channel, update.reference);
    if (!found) {
      return tl::unexpected(found.error());
    }
    item = std::move(*found);
  }
  if (!item && !update.provider_message_id.empty()) {
    auto found = find_item(
        db, "SELECT id, status FROM outbox WHERE channel = :channel AND provider_message_id = :key",
        update.channel, update.provider_message_id);
    if (!found) {
      return tl::unexpected(found.error());
    }
    item = std::move(*found);
  }
  if (!item) {
    return false;  // not ours, or long gone: nothing to do
  }
  std::string next;
  if (update.state == OutboxStatusUpdate::State::failed) {
    // The provider gave up on a message it had: only before it reached the phone.
    if (item->status == "delivered" || item->status == "read" || item->status == "failed") {
      return false;
    }
    next = "failed";
  } else {
    next = update.state == OutboxStatusUpdate::State::sent        ? "sent"
           : update.state == OutboxStatusUpdate::State::delivered ? "delivered"
                                                                  : "read";
    // Never backwards; a permanent failure stays one. 'dead' (we gave up not knowing)
    // yields to the provider's word that it has the message.
    if (item->status == "failed" || rank_of(next) <= rank_of(item->status)) {
      return false;
    }
  }
  auto change = db.statement(R"sql(
    UPDATE outbox
       SET status = :status,
           provider_message_id = coalesce(provider_message_id, :provider_message_id),
           sent_at = CASE WHEN :status = 'failed' THEN sent_at ELSE coalesce(sent_at, :at) END,
           delivered_at = CASE WHEN :status IN ('delivered', 'read')
                               THEN coalesce(delivered_at, :at) ELSE delivered_at END,
           read_at = CASE WHEN :status = 'read' THEN :at ELSE read_at END,
           last_error = CASE WHEN :status = 'failed' THEN :error ELSE last_error END,
           updated_at = :at
     WHERE id = :id)sql");
  if (!change) {
    return tl::unexpected(change.error());
  }
  auto& s = **change;
  s.bind(":status", next).bind(":at", update.at).bind(":error", update.error).bind(":id", item->id);
  bind_text_or_null(s, ":provider_message_id", update.provider_message_id);
  if (auto ok = s.run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "apply outbox status"));
  }
  return true;
}

Result<std::int64_t> write_recover_inflight(
    SqliteConnection& db, const std::vector<std::pair<std::string, Millis>>& grace_by_channel,
    Millis now) {
  std::int64_t recovered = 0;
  const auto requeue = [&](std::string_view sql, const std::string* channel,
                           Millis next) -> Result<void> {
    auto update = db.statement(sql);
    if (!update) {
      return tl::unexpected(update.error());
    }
    (*update)->bind(":next", next).bind(":now", now);
    if (channel != nullptr) {
      (*update)->bind(":channel", *channel);
    }
    if (auto ok = (*update)->run(); !ok) {
      return tl::unexpected(with_context(ok.error(), "recover inflight outbox items"));
    }
    recovered += db.changes();
    return {};
  };
  for (const auto& [channel, grace] : grace_by_channel) {
    if (auto ok = requeue(R"sql(
          UPDATE outbox SET status = 'queued', next_attempt_at = :next, updated_at = :now
           WHERE status = 'inflight' AND channel = :channel)sql",
                          &channel, now + std::max<Millis>(grace, 0));
        !ok) {
      return tl::unexpected(ok.error());
    }
  }
  if (auto ok = requeue(R"sql(
        UPDATE outbox SET status = 'queued', next_attempt_at = :next, updated_at = :now
         WHERE status = 'inflight')sql",
                        nullptr, now);
      !ok) {
    return tl::unexpected(ok.error());
  }
  return recovered;
}

}  // namespace buurtlijn::store
