// The SQL of the store's reads (see store_reads.hpp). Thread safety: as the
// connection's; every statement is released (reset) before a function returns.
#include "store/store_reads.hpp"

namespace buurtlijn::store {

Result<std::optional<ConversationRecord>> read_conversation(SqliteConnection& db,
                                                            std::string_view channel,
                                                            std::string_view subject_pseudonym) {
  auto select = db.statement(R"sql(
    SELECT c.id, c.subject_id, c.channel, c.language, c.dialog_state, c.paused_by_human,
           c.version, c.last_inbound_at
      FROM subjects s JOIN conversations c ON c.subject_id = s.id
     WHERE s.pseudonym = :pseudonym AND c.channel = :channel)sql");
  if (!select) {
    return tl::unexpected(select.error());
  }
  auto& s = **select;
  s.bind(":pseudonym", subject_pseudonym).bind(":channel", channel);
  auto row = s.step();
  if (!row) {
    return tl::unexpected(row.error());
  }
  if (!*row) {
    return std::optional<ConversationRecord>{};
  }
  ConversationRecord record;
  record.id = s.column_int64(0);
  record.subject_id = s.column_int64(1);
  record.channel = s.column_text(2);
  record.language = s.column_text(3);
  record.dialog_state = s.column_text(4);
  record.paused_by_human = s.column_int64(5) != 0;
  record.version = s.column_int64(6);
  record.last_inbound_at = s.column_int64(7);  // 0 when NULL (no inbound message yet)
  return record;
}

Result<TurnContext> read_turn_context(SqliteConnection& db, std::string_view channel,
                                      std::string_view subject_pseudonym) {
  auto select = db.statement(R"sql(
    SELECT c.id, c.subject_id, c.channel, c.language, c.dialog_state, c.paused_by_human,
           c.version, c.last_inbound_at,
           b.id, b.subject_id, b.channel, b.language, b.second_language, b.area, b.state,
           coalesce(b.opted_in_at, 0), coalesce(b.opted_in_how, ''),
           coalesce(b.opted_out_at, 0), coalesce(b.opted_out_how, '')
      FROM subjects s
      LEFT JOIN conversations c ON c.subject_id = s.id AND c.channel = :channel
      LEFT JOIN subscribers b ON b.subject_id = s.id
     WHERE s.pseudonym = :pseudonym)sql");
  if (!select) {
    return tl::unexpected(select.error());
  }
  auto& s = **select;
  s.bind(":pseudonym", subject_pseudonym).bind(":channel", channel);
  auto row = s.step();
  if (!row) {
    return tl::unexpected(row.error());
  }
  TurnContext context;
  if (!*row) {
    return context;  // a subject never seen: neither
  }
  if (!s.column_is_null(0)) {
    ConversationRecord& record = context.conversation.emplace();
    record.id = s.column_int64(0);
    record.subject_id = s.column_int64(1);
    record.channel = s.column_text(2);
    record.language = s.column_text(3);
    record.dialog_state = s.column_text(4);
    record.paused_by_human = s.column_int64(5) != 0;
    record.version = s.column_int64(6);
    record.last_inbound_at = s.column_int64(7);
  }
  if (s.column_is_null(8)) {
    return context;
  }
  SubscriberRecord& subscriber = context.subscriber.emplace();
  subscriber.id = s.column_int64(8);
  subscriber.subject_id = s.column_int64(9);
  subscriber.channel = s.column_text(10);
  subscriber.language = s.column_text(11);
  subscriber.second_language = s.column_text(12);
  subscriber.area = s.column_text(13);
  subscriber.state = s.column_text(14);
  subscriber.opted_in_at = s.column_int64(15);
  subscriber.opted_in_how = s.column_text(16);
  subscriber.opted_out_at = s.column_int64(17);
  subscriber.opted_out_how = s.column_text(18);
  // Read while the statement above still holds the read transaction: the same snapshot.
  auto topics =
      db.statement("SELECT topic FROM subscriber_topics WHERE subscriber_id = :id ORDER BY topic");
  if (!topics) {
    return tl::unexpected(topics.error());
  }
  (*topics)->bind(":id", subscriber.id);
  for (;;) {
    auto topic = (*topics)->step();
    if (!topic) {
      return tl::unexpected(topic.error());
    }
    if (!*topic) {
      return context;
    }
    subscriber.topics.push_back((*topics)->column_text(0));
  }
}

Result<std::vector<OutboxItem>> read_undelivered_outbox(SqliteConnection& db,
                                                        std::int64_t conversation_id) {
  auto select = db.statement(R"sql(
    SELECT id, conversation_id, channel, payload, status, attempts, created_at
      FROM outbox
     WHERE conversation_id = :conversation_id AND status IN ('queued', 'inflight', 'sent')
     ORDER BY created_at, id)sql");
  if (!select) {
    return tl::unexpected(select.error());
  }
  auto& s = **select;
  s.bind(":conversation_id", conversation_id);
  std::vector<OutboxItem> items;
  for (;;) {
    auto row = s.step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return items;
    }
    OutboxItem item;
    item.id = s.column_int64(0);
    item.conversation_id = s.column_int64(1);
    item.channel = s.column_text(2);
    item.payload_json = s.column_text(3);
    item.status = s.column_text(4);
    item.attempts = static_cast<int>(s.column_int64(5));
    item.created_at = s.column_int64(6);
    items.push_back(std::move(item));
  }
}

Result<std::int64_t> read_outbox_depth(SqliteConnection& db) {
  auto select = db.statement("SELECT count(*) FROM outbox WHERE status IN ('queued', 'inflight')");
  if (!select) {
    return tl::unexpected(select.error());
  }
  auto row = (*select)->step();
  if (!row) {
    return tl::unexpected(row.error());
  }
  return (*select)->column_int64(0);
}

}  // namespace buurtlijn::store
