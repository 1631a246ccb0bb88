// The SQLite implementation of AdminStore (see admin_store.hpp) and write_hand_over
// (admin_writes.hpp). Reads lease a read connection; writes are jobs of the single
// writer, awaited with a future.
#include <functional>
#include <utility>

#include "store/admin_store.hpp"
#include "store/admin_writes.hpp"
#include "store/sqlite_error.hpp"
#include "store/sqlite_store.hpp"

namespace buurtlijn::store {

Result<void> write_hand_over(SqliteConnection& db, std::int64_t conversation_id,
                             std::string_view reason, Millis at) {
  auto upsert = db.statement(R"sql(
    INSERT INTO handovers (conversation_id, reason, state, requested_at)
    VALUES (:conversation_id, :reason, 'waiting', :at)
    ON CONFLICT (conversation_id) DO UPDATE SET
      reason = excluded.reason,
      requested_at = excluded.requested_at,
      state = CASE WHEN state = 'taken' THEN 'taken' ELSE 'waiting' END)sql");
  if (!upsert) return tl::unexpected(upsert.error());
  (*upsert)->bind(":conversation_id", conversation_id).bind(":reason", reason).bind(":at", at);
  return (*upsert)->run();
}

namespace {

Result<void> audit(SqliteConnection& db, const Actor& actor, std::string_view action,
                   std::string_view object, std::string_view detail, Millis now) {
  auto insert = db.statement(
      "INSERT INTO audit_log (at, user_id, user_name, action, object, detail) "
      "VALUES (:at, :user_id, :user_name, :action, :object, :detail)");
  if (!insert) return tl::unexpected(insert.error());
  (*insert)->bind(":at", now).bind(":user_name", actor.name.empty() ? "cli" : actor.name);
  if (actor.user_id != 0) {
    (*insert)->bind(":user_id", actor.user_id);
  } else {
    (*insert)->bind_null(":user_id");
  }
  (*insert)->bind(":action", action).bind(":object", object).bind(":detail", detail);
  return (*insert)->run();
}

// Runs `sql` with the bindings done by `bind`, expecting no rows.
template <class Bind>
Result<void> run(SqliteConnection& db, std::string_view sql, Bind bind) {
  auto statement = db.statement(sql);
  if (!statement) return tl::unexpected(statement.error());
  bind(**statement);
  return (*statement)->run();
}

AdminUser read_user(const SqliteStatement& s) {
  AdminUser user;
  user.id = s.column_int64(0);
  user.name = s.column_text(1);
  user.role = s.column_text(2);
  user.team = s.column_text(3);
  user.password_hash = s.column_text(4);
  user.disabled = s.column_int64(5) != 0;
  return user;
}

// The conversation's area: the wijk of the subject's latest report with a known area,
// else the area of their subscriber record.
constexpr std::string_view kInboxArea =
    "coalesce((SELECT r.wijk_name FROM reports r WHERE r.subject_id = c.subject_id"
    " AND r.wijk_name NOT IN ('', 'unknown') ORDER BY r.id DESC LIMIT 1),"
    " (SELECT nullif(b.area, '') FROM subscribers b WHERE b.subject_id = c.subject_id), '')";

const std::string& inbox_select() {
  static const std::string sql = R"sql(
  SELECT h.conversation_id, c.channel, c.language, h.reason, h.state,
         coalesce(u.name, ''), h.requested_at, coalesce(c.last_inbound_at, 0),
         (SELECT count(*) FROM messages m WHERE m.conversation_id = h.conversation_id
            AND m.direction = 'in' AND m.id > h.last_read_message_id),
         )sql" + std::string(kInboxArea) +
                                 R"sql(
  FROM handovers h
  JOIN conversations c ON c.id = h.conversation_id
  LEFT JOIN admin_users u ON u.id = h.taken_by)sql";
  return sql;
}

InboxItem read_inbox_item(const SqliteStatement& s) {
  InboxItem item;
  item.conversation_id = s.column_int64(0);
  item.channel = s.column_text(1);
  item.language = s.column_text(2);
  item.reason = s.column_text(3);
  item.state = s.column_text(4);
  item.taken_by = s.column_text(5);
  item.requested_at = s.column_int64(6);
  item.last_inbound_at = s.column_int64(7);
  item.unread = s.column_int64(8);
  item.area = s.column_text(9);
  return item;
}

ContentRevision read_revision(const SqliteStatement& s) {
  ContentRevision revision;
  revision.id = s.column_int64(0);
  revision.language = s.column_text(1);
  revision.key = s.column_text(2);
  revision.text = s.column_text(3);
  revision.previous = s.column_text(4);
  revision.user_name = s.column_text(5);
  revision.kind = s.column_text(6);
  revision.created_at = s.column_int64(7);
  return revision;
}

class SqliteAdminStore final : public AdminStore {
 public:
  explicit SqliteAdminStore(SqliteStore& store) : store_(store) {}

  Result<std::optional<AdminUser>> find_user(std::string_view name) override {
    return read_one<AdminUser>(
        "SELECT id, name, role, team, password_hash, disabled FROM admin_users WHERE name = :v",
        [&](SqliteStatement& s) { s.bind(":v", name); }, read_user);
  }
  Result<std::optional<AdminUser>> user_by_id(std::int64_t id) override {
    return read_one<AdminUser>(
        "SELECT id, name, role, team, password_hash, disabled FROM admin_users WHERE id = :v",
        [&](SqliteStatement& s) { s.bind(":v", id); }, read_user);
  }
  Result<std::int64_t> count_users() override {
    auto found = read_one<std::int64_t>(
        "SELECT count(*) FROM admin_users", [](SqliteStatement&) {},
        [](const SqliteStatement& s) { return s.column_int64(0); });
    if (!found) return tl::unexpected(found.error());
    return found->value_or(0);
  }
  Result<std::int64_t> add_user(const AdminUser& user, const Actor& actor, Millis now) override {
    return write<std::int64_t>([user, actor, now](SqliteConnection& db) -> Result<std::int64_t> {
      auto exists = db.statement("SELECT 1 FROM admin_users WHERE name = :name");
      if (!exists) return tl::unexpected(exists.error());
      (*exists)->bind(":name", user.name);
      auto row = (*exists)->step();
      if (!row) return tl::unexpected(row.error());
      if (*row) return fail(Error::Code::duplicate, "add user: the name is taken");
      auto ok = run(db,
                    "INSERT INTO admin_users (name, role, team, password_hash, created_at) "
                    "VALUES (:name, :role, :team, :hash, :now)",
                    [&](SqliteStatement& s) {
                      s.bind(":name", user.name)
                          .bind(":role", user.role)
                          .bind(":team", user.team)
                          .bind(":hash", user.password_hash)
                          .bind(":now", now);
                    });
      if (!ok) return tl::unexpected(ok.error());
      const std::int64_t id = db.last_insert_rowid();
      if (auto logged =
              audit(db, actor, "user.add", "user " + user.name,
                    "role " + user.role + (user.team.empty() ? "" : ", team " + user.team), now);
          !logged) {
        return tl::unexpected(logged.error());
      }
      return id;
    });
  }

  Result<std::vector<AdminUserListing>> list_users() override {
    return read_all<AdminUserListing>(
        "SELECT u.id, u.name, u.role, u.team, u.disabled, u.created_at,"
        "       (SELECT max(a.at) FROM audit_log a"
        "         WHERE a.user_id = u.id AND a.action = 'session.login')"
        " FROM admin_users u ORDER BY u.name",
        [](SqliteStatement&) {},
        [](const SqliteStatement& s) {
          AdminUserListing user;
          user.id = s.column_int64(0);
          user.name = s.column_text(1);
          user.role = s.column_text(2);
          user.team = s.column_text(3);
          user.disabled = s.column_int64(4) != 0;
          user.created_at = s.column_int64(5);
          if (!s.column_is_null(6)) user.last_login = s.column_int64(6);
          return user;
        });
  }
  Result<void> change_role(std::int64_t user_id, std::string_view role, std::string_view team,
                           const Actor& actor, Millis now) override {
    return change_user(
        user_id, actor, now, "user.role",
        "role " + std::string(role) + (team.empty() ? "" : ", team " + std::string(team)),
        [role = std::string(role), team = std::string(team)](SqliteConnection& db,
                                                             std::int64_t id) {
          return run(db, "UPDATE admin_users SET role = :role, team = :team WHERE id = :id",
                     [&](SqliteStatement& s) {
                       s.bind(":role", role).bind(":team", team).bind(":id", id);
                     });
        },
        false);
  }
  Result<void> set_disabled(std::int64_t user_id, bool disabled, const Actor& actor,
                            Millis now) override {
    return change_user(
        user_id, actor, now, disabled ? "user.disable" : "user.enable", "",
        [disabled](SqliteConnection& db, std::int64_t id) {
          return run(db, "UPDATE admin_users SET disabled = :disabled WHERE id = :id",
                     [&](SqliteStatement& s) {
                       s.bind(":disabled", std::int64_t{disabled ? 1 : 0}).bind(":id", id);
                     });
        },
        disabled);
  }
  Result<void> set_password_hash(std::int64_t user_id, std::string_view password_hash,
                                 const Actor& actor, Millis now) override {
    return change_user(
        user_id, actor, now, "user.password", "",
        [hash = std::string(password_hash)](SqliteConnection& db, std::int64_t id) {
          return run(db, "UPDATE admin_users SET password_hash = :hash WHERE id = :id",
                     [&](SqliteStatement& s) { s.bind(":hash", hash).bind(":id", id); });
        },
        true);
  }

  Result<void> create_session(const AdminSession& session, const Actor& actor,
                              Millis now) override {
    return write<bool>([session, actor, now](SqliteConnection& db) -> Result<bool> {
             auto ok = run(db,
                           "INSERT INTO admin_sessions (id_hash, user_id, csrf_token, created_at, "
                           "last_seen_at, expires_at) VALUES (:id, :user, :csrf, :created, "
                           ":seen, :expires)",
                           [&](SqliteStatement& s) {
                             s.bind(":id", session.id_hash)
                                 .bind(":user", session.user_id)
                                 .bind(":csrf", session.csrf_token)
                                 .bind(":created", session.created_at)
                                 .bind(":seen", session.last_seen_at)
                                 .bind(":expires", session.expires_at);
                           });
             if (!ok) return tl::unexpected(ok.error());
             if (auto logged = audit(db, actor, "session.login", "user " + actor.name, "", now);
                 !logged) {
               return tl::unexpected(logged.error());
             }
             return true;
           })
        .map([](bool) {});
  }
  Result<std::optional<AdminSession>> find_session(std::string_view id_hash) override {
    return read_one<AdminSession>(
        "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at "
        "FROM admin_sessions WHERE id_hash = :v",
        [&](SqliteStatement& s) { s.bind(":v", id_hash); },
        [](const SqliteStatement& s) {
          AdminSession session;
          session.id_hash = s.column_text(0);
          session.user_id = s.column_int64(1);
          session.csrf_token = s.column_text(2);
          session.created_at = s.column_int64(3);
          session.last_seen_at = s.column_int64(4);
          session.expires_at = s.column_int64(5);
          return session;
        });
  }
  Result<void> touch_session(std::string_view id_hash, Millis now) override {
    return write<bool>([id = std::string(id_hash), now](SqliteConnection& db) -> Result<bool> {
             auto ok = run(db, "UPDATE admin_sessions SET last_seen_at = :now WHERE id_hash = :id",
                           [&](SqliteStatement& s) { s.bind(":now", now).bind(":id", id); });
             if (!ok) return tl::unexpected(ok.error());
             return true;
           })
        .map([](bool) {});
  }
  Result<void> end_session(std::string_view id_hash, const Actor& actor, Millis now) override {
    return write<bool>([id = std::string(id_hash), actor,
                        now](SqliteConnection& db) -> Result<bool> {
             auto ok = run(db, "DELETE FROM admin_sessions WHERE id_hash = :id",
                           [&](SqliteStatement& s) { s.bind(":id", id); });
             if (!ok) return tl::unexpected(ok.error());
             if (auto logged = audit(db, actor, "session.logout", "user " + actor.name, "", now);
                 !logged) {
               return tl::unexpected(logged.error());
             }
             return true;
           })
        .map([](bool) {});
  }
  Result<std::int64_t> purge_sessions(Millis idle_before, Millis now) override {
    return write<std::int64_t>([idle_before, now](SqliteConnection& db) -> Result<std::int64_t> {
      auto ok =
          run(db, "DELETE FROM admin_sessions WHERE expires_at <= :now OR last_seen_at < :idle",
              [&](SqliteStatement& s) { s.bind(":now", now).bind(":idle", idle_before); });
      if (!ok) return tl::unexpected(ok.error());
      return db.changes();
    });
  }

  Result<void> append_audit(const Actor& actor, std::string_view action, std::string_view object,
                            std::string_view detail, Millis now) override {
    return write<bool>([actor, action = std::string(action), object = std::string(object),
                        detail = std::string(detail), now](SqliteConnection& db) -> Result<bool> {
             auto ok = audit(db, actor, action, object, detail, now);
             if (!ok) return tl::unexpected(ok.error());
             return true;
           })
        .map([](bool) {});
  }
  Result<std::vector<AuditEntry>> audit_log(std::int64_t limit) override {
    return read_all<AuditEntry>(
        "SELECT id, at, user_name, action, object, detail FROM audit_log ORDER BY id DESC "
        "LIMIT :limit",
        [&](SqliteStatement& s) { s.bind(":limit", limit); },
        [](const SqliteStatement& s) {
          return AuditEntry{s.column_int64(0), s.column_int64(1), s.column_text(2),
                            s.column_text(3),  s.column_text(4),  s.column_text(5)};
        });
  }

  Result<std::vector<ContentOverride>> content_overrides() override {
    return read_all<ContentOverride>(
        "SELECT language, key, text FROM content_overrides ORDER BY language, key",
        [](SqliteStatement&) {},
        [](const SqliteStatement& s) {
          return ContentOverride{s.column_text(0), s.column_text(1), s.column_text(2)};
        });
  }
  Result<std::int64_t> save_text(const TextEdit& edit, const Actor& actor, Millis now) override {
    return write<std::int64_t>([edit, actor, now](SqliteConnection& db) -> Result<std::int64_t> {
      auto ok = run(db,
                    "INSERT INTO content_revisions (language, key, text, previous, user_id, "
                    "user_name, kind, created_at) VALUES (:language, :key, :text, :previous, "
                    ":user_id, :user_name, :kind, :now)",
                    [&](SqliteStatement& s) {
                      s.bind(":language", edit.language)
                          .bind(":key", edit.key)
                          .bind(":text", edit.text)
                          .bind(":previous", edit.previous)
                          .bind(":user_name", actor.name)
                          .bind(":kind", edit.kind)
                          .bind(":now", now);
                      if (actor.user_id != 0) {
                        s.bind(":user_id", actor.user_id);
                      } else {
                        s.bind_null(":user_id");
                      }
                    });
      if (!ok) return tl::unexpected(ok.error());
      const std::int64_t revision = db.last_insert_rowid();
      if (edit.clear_override) {
        ok = run(
            db, "DELETE FROM content_overrides WHERE language = :language AND key = :key",
            [&](SqliteStatement& s) { s.bind(":language", edit.language).bind(":key", edit.key); });
      } else {
        ok = run(db,
                 "INSERT INTO content_overrides (language, key, text, revision_id, updated_at) "
                 "VALUES (:language, :key, :text, :revision, :now) ON CONFLICT (language, key) "
                 "DO UPDATE SET text = excluded.text, revision_id = excluded.revision_id, "
                 "updated_at = excluded.updated_at",
                 [&](SqliteStatement& s) {
                   s.bind(":language", edit.language)
                       .bind(":key", edit.key)
                       .bind(":text", edit.text)
                       .bind(":revision", revision)
                       .bind(":now", now);
                 });
      }
      if (!ok) return tl::unexpected(ok.error());
      // Editing a text is reviewing it.
      ok = run(
          db, "DELETE FROM content_reviews WHERE language = :language AND key = :key",
          [&](SqliteStatement& s) { s.bind(":language", edit.language).bind(":key", edit.key); });
      if (!ok) return tl::unexpected(ok.error());
      for (const std::string& language : edit.flag_for_review) {
        ok = run(db,
                 "INSERT INTO content_reviews (language, key, source_revision_id, flagged_at) "
                 "VALUES (:language, :key, :revision, :now) ON CONFLICT (language, key) DO UPDATE "
                 "SET source_revision_id = excluded.source_revision_id, flagged_at = "
                 "excluded.flagged_at",
                 [&](SqliteStatement& s) {
                   s.bind(":language", language)
                       .bind(":key", edit.key)
                       .bind(":revision", revision)
                       .bind(":now", now);
                 });
        if (!ok) return tl::unexpected(ok.error());
      }
      if (auto logged = audit(db, actor, "content." + edit.kind, edit.language + ":" + edit.key,
                              "revision " + std::to_string(revision), now);
          !logged) {
        return tl::unexpected(logged.error());
      }
      return revision;
    });
  }
  Result<std::vector<ContentRevision>> revisions(std::string_view language,
                                                 std::string_view key) override {
    return read_all<ContentRevision>(
        "SELECT id, language, key, text, previous, user_name, kind, created_at FROM "
        "content_revisions WHERE language = :language AND key = :key ORDER BY id DESC",
        [&](SqliteStatement& s) { s.bind(":language", language).bind(":key", key); },
        read_revision);
  }
  Result<std::optional<ContentRevision>> revision(std::int64_t id) override {
    return read_one<ContentRevision>(
        "SELECT id, language, key, text, previous, user_name, kind, created_at FROM "
        "content_revisions WHERE id = :id",
        [&](SqliteStatement& s) { s.bind(":id", id); }, read_revision);
  }
  Result<std::vector<ContentOverride>> review_flags() override {
    return read_all<ContentOverride>(
        "SELECT language, key, '' FROM content_reviews ORDER BY language, key",
        [](SqliteStatement&) {},
        [](const SqliteStatement& s) {
          return ContentOverride{s.column_text(0), s.column_text(1), {}};
        });
  }
  Result<void> confirm_review(std::string_view language, std::string_view key, const Actor& actor,
                              Millis now) override {
    return write<bool>([language = std::string(language), key = std::string(key), actor,
                        now](SqliteConnection& db) -> Result<bool> {
             auto ok =
                 run(db, "DELETE FROM content_reviews WHERE language = :language AND key = :key",
                     [&](SqliteStatement& s) { s.bind(":language", language).bind(":key", key); });
             if (!ok) return tl::unexpected(ok.error());
             if (db.changes() == 0) return fail(Error::Code::invalid, "confirm: not flagged");
             if (auto logged = audit(db, actor, "content.confirm", language + ":" + key, "", now);
                 !logged) {
               return tl::unexpected(logged.error());
             }
             return true;
           })
        .map([](bool) {});
  }

  Result<std::vector<InboxItem>> inbox(const InboxFilter& filter) override {
    const std::string sql = inbox_select() +
                            " WHERE (:language = '' OR c.language = :language)"
                            " AND (:channel = '' OR c.channel = :channel)"
                            " AND (:area = '' OR " +
                            std::string(kInboxArea) +
                            " = :area)"
                            " AND (:released = 1 OR h.state != 'released')"
                            " ORDER BY h.state = 'taken', h.requested_at DESC LIMIT 200";
    return read_all<InboxItem>(
        sql,
        [&](SqliteStatement& s) {
          s.bind(":language", filter.language)
              .bind(":channel", filter.channel)
              .bind(":area", filter.area)
              .bind(":released", std::int64_t{filter.include_released ? 1 : 0});
        },
        read_inbox_item);
  }
  Result<std::optional<InboxItem>> inbox_item(std::int64_t conversation_id) override {
    return read_one<InboxItem>(
        inbox_select() + " WHERE h.conversation_id = :id",
        [&](SqliteStatement& s) { s.bind(":id", conversation_id); }, read_inbox_item);
  }
  Result<std::vector<ConversationMessage>> conversation_messages(std::int64_t conversation_id,
                                                                 std::int64_t limit) override {
    auto newest_first = read_all<ConversationMessage>(
        "SELECT id, direction, text, created_at FROM messages WHERE conversation_id = :id "
        "ORDER BY id DESC LIMIT :limit",
        [&](SqliteStatement& s) { s.bind(":id", conversation_id).bind(":limit", limit); },
        [](const SqliteStatement& s) {
          return ConversationMessage{s.column_int64(0), s.column_text(1), s.column_text(2),
                                     s.column_int64(3)};
        });
    if (!newest_first) return newest_first;
    return std::vector<ConversationMessage>(newest_first->rbegin(), newest_first->rend());
  }
  Result<void> take_over(std::int64_t conversation_id, const Actor& actor, Millis now) override {
    return set_paused(conversation_id, actor, now, true);
  }
  Result<void> release(std::int64_t conversation_id, const Actor& actor, Millis now) override {
    return set_paused(conversation_id, actor, now, false);
  }
  Result<void> mark_read(std::int64_t conversation_id, Millis /*now*/) override {
    return write<bool>([conversation_id](SqliteConnection& db) -> Result<bool> {
             auto ok =
                 run(db,
                     "UPDATE handovers SET last_read_message_id = (SELECT coalesce(max(id), 0) "
                     "FROM messages WHERE conversation_id = :id) WHERE conversation_id = :id",
                     [&](SqliteStatement& s) { s.bind(":id", conversation_id); });
             if (!ok) return tl::unexpected(ok.error());
             return true;
           })
        .map([](bool) {});
  }
  Result<std::int64_t> queue_human_reply(const HumanReply& reply, const Actor& actor,
                                         Millis now) override {
    return write<std::int64_t>([reply, actor, now](SqliteConnection& db) -> Result<std::int64_t> {
      std::string channel;
      std::int64_t subject_id = 0;
      bool paused = false;
      {
        auto conversation = db.statement(
            "SELECT channel, subject_id, paused_by_human FROM conversations WHERE id = :id");
        if (!conversation) return tl::unexpected(conversation.error());
        (*conversation)->bind(":id", reply.conversation_id);
        auto row = (*conversation)->step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) return fail(Error::Code::invalid, "reply: unknown conversation");
        channel = (*conversation)->column_text(0);
        subject_id = (*conversation)->column_int64(1);
        paused = (*conversation)->column_int64(2) != 0;
      }
      if (!paused) return fail(Error::Code::invalid, "reply: take the conversation over first");
      auto ok = run(db,
                    "INSERT INTO messages (conversation_id, direction, text, channel, created_at) "
                    "VALUES (:id, 'out', :text, :channel, :now)",
                    [&](SqliteStatement& s) {
                      s.bind(":id", reply.conversation_id)
                          .bind(":text", reply.text)
                          .bind(":channel", channel)
                          .bind(":now", now);
                    });
      if (!ok) return tl::unexpected(ok.error());
      const std::int64_t message_id = db.last_insert_rowid();
      ok = run(db,
               "INSERT INTO outbox (conversation_id, message_id, subject_id, channel, payload, "
               "status, next_attempt_at, created_at, updated_at) VALUES (:id, :message, :subject, "
               ":channel, :payload, 'queued', :now, :now, :now)",
               [&](SqliteStatement& s) {
                 s.bind(":id", reply.conversation_id)
                     .bind(":message", message_id)
                     .bind(":subject", subject_id)
                     .bind(":channel", channel)
                     .bind(":payload", reply.payload_json)
                     .bind(":now", now);
               });
      if (!ok) return tl::unexpected(ok.error());
      const std::int64_t outbox_id = db.last_insert_rowid();
      ok = run(db,
               "UPDATE handovers SET last_read_message_id = :message WHERE conversation_id = :id",
               [&](SqliteStatement& s) {
                 s.bind(":message", message_id).bind(":id", reply.conversation_id);
               });
      if (!ok) return tl::unexpected(ok.error());
      if (auto logged = audit(db, actor, "inbox.reply",
                              "conversation " + std::to_string(reply.conversation_id),
                              "outbox " + std::to_string(outbox_id), now);
          !logged) {
        return tl::unexpected(logged.error());
      }
      return outbox_id;
    });
  }

 private:
  // One change of a user: `update` (which must touch the row), the sessions ended when
  // `end_sessions`, and the audit row, in one transaction.
  Result<void> change_user(std::int64_t user_id, const Actor& actor, Millis now, std::string action,
                           std::string detail,
                           std::function<Result<void>(SqliteConnection&, std::int64_t)> update,
                           bool end_sessions) {
    return write<bool>([user_id, actor, now, action = std::move(action), detail = std::move(detail),
                        update = std::move(update),
                        end_sessions](SqliteConnection& db) -> Result<bool> {
             std::string name;
             {
               auto found = db.statement("SELECT name FROM admin_users WHERE id = :id");
               if (!found) return tl::unexpected(found.error());
               (*found)->bind(":id", user_id);
               auto row = (*found)->step();
               if (!row) return tl::unexpected(row.error());
               if (!*row) return fail(Error::Code::invalid, "unknown user");
               name = (*found)->column_text(0);
             }
             if (auto ok = update(db, user_id); !ok) return tl::unexpected(ok.error());
             if (end_sessions) {
               auto ended = run(db, "DELETE FROM admin_sessions WHERE user_id = :id",
                                [&](SqliteStatement& s) { s.bind(":id", user_id); });
               if (!ended) return tl::unexpected(ended.error());
             }
             if (auto logged = audit(db, actor, action, "user " + name, detail, now); !logged) {
               return tl::unexpected(logged.error());
             }
             return true;
           })
        .map([](bool) {});
  }

  Result<void> set_paused(std::int64_t conversation_id, const Actor& actor, Millis now,
                          bool paused) {
    return write<bool>([conversation_id, actor, now, paused](SqliteConnection& db) -> Result<bool> {
             auto ok =
                 run(db,
                     "UPDATE conversations SET paused_by_human = :paused, version = version + 1, "
                     "updated_at = :now WHERE id = :id",
                     [&](SqliteStatement& s) {
                       s.bind(":paused", std::int64_t{paused ? 1 : 0})
                           .bind(":now", now)
                           .bind(":id", conversation_id);
                     });
             if (!ok) return tl::unexpected(ok.error());
             if (db.changes() == 0) return fail(Error::Code::invalid, "unknown conversation");
             if (paused) {
               ok = run(db,
                        "INSERT INTO handovers (conversation_id, reason, state, requested_at, "
                        "taken_by, taken_at) VALUES (:id, 'console', 'taken', :now, :user, :now) "
                        "ON CONFLICT (conversation_id) DO UPDATE SET state = 'taken', "
                        "taken_by = excluded.taken_by, taken_at = excluded.taken_at",
                        [&](SqliteStatement& s) {
                          s.bind(":id", conversation_id).bind(":now", now);
                          if (actor.user_id != 0) {
                            s.bind(":user", actor.user_id);
                          } else {
                            s.bind_null(":user");
                          }
                        });
             } else {
               ok = run(
                   db,
                   "UPDATE handovers SET state = 'released', released_at = :now, "
                   "taken_by = NULL WHERE conversation_id = :id",
                   [&](SqliteStatement& s) { s.bind(":now", now).bind(":id", conversation_id); });
             }
             if (!ok) return tl::unexpected(ok.error());
             if (auto logged = audit(db, actor, paused ? "inbox.take" : "inbox.release",
                                     "conversation " + std::to_string(conversation_id), "", now);
                 !logged) {
               return tl::unexpected(logged.error());
             }
             return true;
           })
        .map([](bool) {});
  }

  template <class T, class Bind, class Read>
  Result<std::optional<T>> read_one(std::string_view sql, Bind bind, Read read) {
    auto all = read_all<T>(sql, bind, read, 1);
    if (!all) return tl::unexpected(all.error());
    if (all->empty()) return std::optional<T>{};
    return std::optional<T>(std::move(all->front()));
  }

  template <class T, class Bind, class Read>
  Result<std::vector<T>> read_all(std::string_view sql, Bind bind, Read read,
                                  std::size_t most = 100000) {
    return store_.read_rows<T>(sql, bind, read, most);
  }

  template <class T>
  Result<T> write(std::function<Result<T>(SqliteConnection&)> work) {
    return store_.write_and_wait<T>(std::move(work));
  }

  SqliteStore& store_;
};

}  // namespace

Result<void> write_audit(SqliteConnection& db, const Actor& actor, std::string_view action,
                         std::string_view object, std::string_view detail, Millis now) {
  return audit(db, actor, action, object, detail, now);
}

Result<std::unique_ptr<AdminStore>> admin_store_for(Store& store) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  if (sqlite == nullptr) return fail(Error::Code::invalid, "the console needs the SQLite store");
  return std::unique_ptr<AdminStore>(std::make_unique<SqliteAdminStore>(*sqlite));
}

}  // namespace buurtlijn::store
