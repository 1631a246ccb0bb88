// The SQL of the store's writes (see store_writes.hpp). Runs on the writer thread only,
// each call inside the savepoint the writer opened for its job.
#include "store/store_writes.hpp"

#include <string>

#include "store/admin_writes.hpp"
#include "store/notification_sql.hpp"
#include "store/sqlite_error.hpp"

namespace buurtlijn::store {
namespace {

Error with_context(const Error& error, std::string_view context) {
  return Error{error.code, std::string(context) + ": " + error.message};
}

// A phone number or a numeric chat id ("+31612345678", "123456789") is an address, not
// a pseudonym. E.164 numbers have at most 15 digits; a pseudonym (32 hex characters from
// the gateway) is longer, so a hash that happens to be all digits is not refused.
bool looks_like_raw_address(std::string_view pseudonym) {
  const bool digits_only = pseudonym.find_first_not_of("+0123456789") == std::string_view::npos;
  return digits_only && (pseudonym.front() == '+' || pseudonym.size() <= 15);
}

Result<void> check_turn(const InboundTurn& turn) {
  if (turn.channel.empty() || turn.subject_pseudonym.empty() || turn.channel_message_id.empty()) {
    return fail(Error::Code::invalid,
                "commit turn: channel, subject pseudonym and channel message id are required");
  }
  if (looks_like_raw_address(turn.subject_pseudonym)) {
    return fail(Error::Code::invalid,
                "commit turn: the subject pseudonym looks like a raw phone number or chat id");
  }
  if (turn.expected_version < 0) {
    return fail(Error::Code::invalid, "commit turn: negative expected version");
  }
  return {};
}

Result<std::int64_t> find_or_create_subject(SqliteConnection& db, const InboundTurn& turn) {
  {
    auto select = db.statement("SELECT id, channel FROM subjects WHERE pseudonym = :pseudonym");
    if (!select) {
      return tl::unexpected(select.error());
    }
    (*select)->bind(":pseudonym", turn.subject_pseudonym);
    auto row = (*select)->step();
    if (!row) {
      return tl::unexpected(with_context(row.error(), "find subject"));
    }
    if (*row) {
      if ((*select)->column_text(1) != turn.channel) {
        return fail(Error::Code::invalid,
                    "commit turn: the subject belongs to another channel than " + turn.channel);
      }
      return (*select)->column_int64(0);
    }
  }
  auto insert = db.statement(
      "INSERT INTO subjects (pseudonym, channel, created_at)"
      " VALUES (:pseudonym, :channel, :created_at)");
  if (!insert) {
    return tl::unexpected(insert.error());
  }
  (*insert)
      ->bind(":pseudonym", turn.subject_pseudonym)
      .bind(":channel", turn.channel)
      .bind(":created_at", turn.received_at);
  if (auto ok = (*insert)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "insert subject"));
  }
  return db.last_insert_rowid();
}

struct ConversationVersion {
  std::int64_t id = 0;
  std::int64_t version = 0;
};

Result<ConversationVersion> find_or_create_conversation(SqliteConnection& db,
                                                        std::int64_t subject_id,
                                                        const InboundTurn& turn) {
  {
    auto select =
        db.statement("SELECT id, version FROM conversations WHERE subject_id = :subject_id");
    if (!select) {
      return tl::unexpected(select.error());
    }
    (*select)->bind(":subject_id", subject_id);
    auto row = (*select)->step();
    if (!row) {
      return tl::unexpected(with_context(row.error(), "find conversation"));
    }
    if (*row) {
      return ConversationVersion{(*select)->column_int64(0), (*select)->column_int64(1)};
    }
  }
  auto insert = db.statement(
      "INSERT INTO conversations (subject_id, channel, created_at, updated_at)"
      " VALUES (:subject_id, :channel, :now, :now)");
  if (!insert) {
    return tl::unexpected(insert.error());
  }
  (*insert)
      ->bind(":subject_id", subject_id)
      .bind(":channel", turn.channel)
      .bind(":now", turn.received_at);
  if (auto ok = (*insert)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "insert conversation"));
  }
  return ConversationVersion{db.last_insert_rowid(), 0};
}

constexpr std::string_view kInsertMessageSql =
    "INSERT INTO messages (conversation_id, direction, text, channel, channel_message_id,"
    " created_at) VALUES (:conversation_id, :direction, :text, :channel, :channel_message_id,"
    " :created_at)";

Result<std::int64_t> insert_inbound_message(SqliteConnection& db, std::int64_t conversation_id,
                                            const InboundTurn& turn) {
  auto insert = db.statement(kInsertMessageSql);
  if (!insert) {
    return tl::unexpected(insert.error());
  }
  (*insert)
      ->bind(":conversation_id", conversation_id)
      .bind(":direction", std::string_view("in"))
      .bind(":text", turn.text)
      .bind(":channel", turn.channel)
      .bind(":channel_message_id", turn.channel_message_id)
      .bind(":created_at", turn.received_at);
  if (auto ok = (*insert)->run(); !ok) {
    if ((*insert)->last_result_code() == SQLITE_CONSTRAINT_UNIQUE) {
      return fail(Error::Code::duplicate,
                  "commit turn: this " + turn.channel + " message id was committed before");
    }
    return tl::unexpected(with_context(ok.error(), "insert inbound message"));
  }
  return db.last_insert_rowid();
}

// True when the conversation `conversation_id` of `subject_id` still had the expected
// version and now holds the turn's state. The subject must be the turn's pseudonym: ids
// handed in by the caller never put a message into another subject's conversation.
Result<bool> try_update_conversation(SqliteConnection& db, std::int64_t conversation_id,
                                     std::int64_t subject_id, const InboundTurn& turn) {
  auto update = db.statement(R"sql(
    UPDATE conversations
       SET language = :language, dialog_state = :dialog_state, last_inbound_at = :now,
           updated_at = :now, version = version + 1
     WHERE id = :id AND version = :expected_version AND subject_id = :subject_id
       AND subject_id = (SELECT id FROM subjects WHERE pseudonym = :pseudonym))sql");
  if (!update) {
    return tl::unexpected(update.error());
  }
  (*update)
      ->bind(":language", turn.language)
      .bind(":dialog_state", turn.dialog_state)
      .bind(":now", turn.received_at)
      .bind(":id", conversation_id)
      .bind(":subject_id", subject_id)
      .bind(":pseudonym", turn.subject_pseudonym)
      .bind(":expected_version", turn.expected_version);
  if (auto ok = (*update)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "update conversation"));
  }
  return db.changes() == 1;
}

Result<void> update_conversation(SqliteConnection& db, std::int64_t conversation_id,
                                 std::int64_t subject_id, const InboundTurn& turn) {
  auto updated = try_update_conversation(db, conversation_id, subject_id, turn);
  if (!updated) {
    return tl::unexpected(updated.error());
  }
  if (!*updated) {
    return fail(Error::Code::conflict, "commit turn: the conversation changed meanwhile");
  }
  return {};
}

Result<std::int64_t> queue_reply(SqliteConnection& db, std::int64_t conversation_id,
                                 const InboundTurn& turn, const OutboundReply& reply) {
  {
    auto insert = db.statement(kInsertMessageSql);
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    (*insert)
        ->bind(":conversation_id", conversation_id)
        .bind(":direction", std::string_view("out"))
        .bind(":text", reply.text)
        .bind(":channel", turn.channel)
        .bind_null(":channel_message_id")
        .bind(":created_at", turn.received_at);
    if (auto ok = (*insert)->run(); !ok) {
      return tl::unexpected(with_context(ok.error(), "insert reply message"));
    }
  }
  const std::int64_t message_id = db.last_insert_rowid();
  auto insert = db.statement(R"sql(
    INSERT INTO outbox (conversation_id, message_id, channel, payload, status, next_attempt_at,
                        created_at, updated_at)
    VALUES (:conversation_id, :message_id, :channel, :payload, 'queued', :now, :now, :now))sql");
  if (!insert) {
    return tl::unexpected(insert.error());
  }
  (*insert)
      ->bind(":conversation_id", conversation_id)
      .bind(":message_id", message_id)
      .bind(":channel", turn.channel)
      .bind(":payload", reply.payload_json)
      .bind(":now", turn.received_at);
  if (auto ok = (*insert)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "insert outbox item"));
  }
  return db.last_insert_rowid();
}

// The subject's reply address, stored once and replaced when it changed.
Result<void> store_contact_address(SqliteConnection& db, std::int64_t subject_id,
                                   const std::string& address) {
  auto upsert = db.statement(R"sql(
    INSERT INTO contact_addresses (subject_id, address) VALUES (:subject_id, :address)
    ON CONFLICT (subject_id) DO UPDATE SET address = excluded.address
     WHERE address IS NOT excluded.address)sql");
  if (!upsert) {
    return tl::unexpected(upsert.error());
  }
  (*upsert)->bind(":subject_id", subject_id).bind(":address", address);
  if (auto ok = (*upsert)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "store contact address"));
  }
  return {};
}

// Finds or creates the subject and its conversation, stores the inbound message and
// moves the conversation to the turn's state.
Result<void> write_turn_slow(SqliteConnection& db, const InboundTurn& turn,
                             std::int64_t& subject_id, TurnCommitted& committed) {
  auto subject = find_or_create_subject(db, turn);
  if (!subject) {
    return tl::unexpected(subject.error());
  }
  subject_id = *subject;
  auto conversation = find_or_create_conversation(db, subject_id, turn);
  if (!conversation) {
    return tl::unexpected(conversation.error());
  }
  committed.conversation_id = conversation->id;
  // The duplicate check comes before the version check: a redelivered message is a
  // duplicate whatever version the gateway ran it against.
  auto inbound = insert_inbound_message(db, conversation->id, turn);
  if (!inbound) {
    return tl::unexpected(inbound.error());
  }
  committed.inbound_message_id = *inbound;
  if (conversation->version != turn.expected_version) {
    return fail(Error::Code::conflict, "commit turn: expected conversation version " +
                                           std::to_string(turn.expected_version) + ", found " +
                                           std::to_string(conversation->version));
  }
  return update_conversation(db, conversation->id, subject_id, turn);
}

}  // namespace

Result<TurnCommitted> write_turn(SqliteConnection& db, const InboundTurn& turn) {
  if (auto ok = check_turn(turn); !ok) {
    return tl::unexpected(ok.error());
  }
  TurnCommitted committed;
  std::int64_t subject_id = 0;
  bool stored = false;
  if (turn.conversation_id != 0 && turn.subject_id != 0 && turn.expected_version > 0) {
    // The common case, a conversation that did not change since the gateway read it: one
    // UPDATE instead of two look-ups. A duplicate message fails the insert below and the
    // job's savepoint undoes the update; anything else (a concurrent turn, an erased
    // subject) takes the full path, which tells a duplicate from a conflict.
    auto updated = try_update_conversation(db, turn.conversation_id, turn.subject_id, turn);
    if (!updated) {
      return tl::unexpected(updated.error());
    }
    if (*updated) {
      auto inbound = insert_inbound_message(db, turn.conversation_id, turn);
      if (!inbound) {
        return tl::unexpected(inbound.error());
      }
      subject_id = turn.subject_id;
      committed.conversation_id = turn.conversation_id;
      committed.inbound_message_id = *inbound;
      stored = true;
    }
  }
  if (!stored) {
    if (auto ok = write_turn_slow(db, turn, subject_id, committed); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  if (!turn.contact_address.empty()) {
    if (auto ok = store_contact_address(db, subject_id, turn.contact_address); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  if (turn.subscription) {
    if (auto ok = write_subscription_change(db, subject_id, turn.channel, *turn.subscription,
                                            turn.received_at);
        !ok) {
      return tl::unexpected(ok.error());
    }
  } else if (auto ok = write_subscriber_language(db, subject_id, turn.language); !ok) {
    return tl::unexpected(ok.error());
  }
  committed.outbox_ids.reserve(turn.replies.size());
  for (const OutboundReply& reply : turn.replies) {
    auto outbox_id = queue_reply(db, committed.conversation_id, turn, reply);
    if (!outbox_id) {
      return tl::unexpected(outbox_id.error());
    }
    committed.outbox_ids.push_back(*outbox_id);
  }
  if (!turn.hand_over_reason.empty()) {
    if (auto ok =
            write_hand_over(db, committed.conversation_id, turn.hand_over_reason, turn.received_at);
        !ok) {
      return tl::unexpected(ok.error());
    }
  }
  return committed;
}

Result<void> write_delivered(SqliteConnection& db, const std::vector<std::int64_t>& outbox_ids,
                             Millis at) {
  for (const std::int64_t id : outbox_ids) {
    {
      auto update = db.statement(R"sql(
        UPDATE outbox SET status = 'delivered', updated_at = :at
         WHERE id = :id AND status IN ('queued', 'inflight', 'sent'))sql");
      if (!update) {
        return tl::unexpected(update.error());
      }
      (*update)->bind(":at", at).bind(":id", id);
      if (auto ok = (*update)->run(); !ok) {
        return tl::unexpected(with_context(ok.error(), "mark delivered"));
      }
    }
    if (db.changes() == 1) {
      continue;
    }
    auto select = db.statement("SELECT 1 FROM outbox WHERE id = :id");
    if (!select) {
      return tl::unexpected(select.error());
    }
    (*select)->bind(":id", id);
    auto row = (*select)->step();
    if (!row) {
      return tl::unexpected(with_context(row.error(), "mark delivered"));
    }
    if (!*row) {
      return fail(Error::Code::invalid, "mark delivered: no outbox item " + std::to_string(id));
    }
  }
  return {};
}

Result<void> write_heartbeat(SqliteConnection& db, Millis now) {
  {
    // Insert before delete, so the new row cannot simply reuse the old row's pages.
    auto insert =
        db.statement("INSERT INTO heartbeat (checked_at, reserve) VALUES (:now, zeroblob(:bytes))");
    if (!insert) {
      return tl::unexpected(insert.error());
    }
    (*insert)->bind(":now", now).bind(":bytes", std::int64_t{kHeartbeatReserveBytes});
    if (auto ok = (*insert)->run(); !ok) {
      return tl::unexpected(with_context(ok.error(), "insert heartbeat"));
    }
  }
  auto remove = db.statement("DELETE FROM heartbeat WHERE id < :id");
  if (!remove) {
    return tl::unexpected(remove.error());
  }
  (*remove)->bind(":id", db.last_insert_rowid());
  if (auto ok = (*remove)->run(); !ok) {
    return tl::unexpected(with_context(ok.error(), "delete old heartbeats"));
  }
  return {};
}

}  // namespace buurtlijn::store
