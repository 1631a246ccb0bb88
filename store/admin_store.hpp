// The console's part of the store: console users and their sessions, the append-only
// audit log, the Buurtmaker's content edits (overrides over the built-in catalogs, with
// their revisions and "needs review" flags) and the hand-over inbox.
//
// Reads run on the calling thread on a read connection of their own. Writes go through
// the store's single writer (group commit) and BLOCK the caller until their batch has
// committed: the console is low-traffic and its handlers are plain functions. Never call
// a write from a write callback (the writer thread). Every write that changes something
// a person did also appends its audit row in the same transaction.
// Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace buurtlijn::store {

struct AdminUser {
  std::int64_t id = 0;
  std::string name;
  std::string role;  // buurtmaker, enforcement, coordinator
  std::string team;  // "" or "exploitation" (the restricted team)
  std::string password_hash;
  bool disabled = false;
};

// A user as the coordinator's Users page lists it (never the hash). The last login is
// read from the audit log ("session.login"), so no column keeps it twice.
struct AdminUserListing {
  std::int64_t id = 0;
  std::string name;
  std::string role;
  std::string team;
  bool disabled = false;
  Millis created_at = 0;
  std::optional<Millis> last_login;
};

struct AdminSession {
  std::string id_hash;  // hex SHA-256 of the cookie value; the value itself is never stored
  std::int64_t user_id = 0;
  std::string csrf_token;
  Millis created_at = 0;
  Millis last_seen_at = 0;
  Millis expires_at = 0;  // absolute expiry
};

// Who did something, for the audit log.
struct Actor {
  std::int64_t user_id = 0;  // 0: the command line
  std::string name;
};

struct AuditEntry {
  std::int64_t id = 0;
  Millis at = 0;
  std::string user_name;
  std::string action;  // "content.save", "inbox.take", "user.add", ...
  std::string object;  // "ro:nodes.waste_milieupas.text", "conversation 12", "user anna"
  std::string detail;  // never message text of a user or a password
};

struct ContentOverride {
  std::string language;
  std::string key;
  std::string text;
};

struct ContentRevision {
  std::int64_t id = 0;
  std::string language;
  std::string key;
  std::string text;      // after
  std::string previous;  // before
  std::string user_name;
  std::string kind;  // edit, revert, confirm
  Millis created_at = 0;
};

// A text edit: the override becomes `text` (or is removed when `clear_override`, i.e. the
// built-in text is back), a revision is kept, and review flags change.
struct TextEdit {
  std::string language;
  std::string key;
  std::string text;
  std::string previous;
  std::string kind = "edit";  // edit, revert
  bool clear_override = false;
  std::vector<std::string> flag_for_review;  // languages whose text of `key` needs review
};

struct InboxFilter {
  std::string language;  // "" = any
  std::string channel;   // "" = any
  bool include_released = false;
  std::string area;  // "" = any; a wijk name as InboxItem::area
};

struct InboxItem {
  std::int64_t conversation_id = 0;
  std::string channel;
  std::string language;
  std::string reason;  // requested, two_misses, message_for_person, safety, console
  std::string state;   // waiting, taken, released
  std::string taken_by;
  Millis requested_at = 0;
  Millis last_inbound_at = 0;
  std::int64_t unread = 0;
  // The wijk the person is about, when known: of their latest report with a known area,
  // else their subscriber record's area; "" when neither says.
  std::string area;
};

struct ConversationMessage {
  std::int64_t id = 0;
  std::string direction;  // in, out
  std::string text;
  Millis created_at = 0;
};

// A reply typed (or picked) by a person, queued on the conversation's channel.
struct HumanReply {
  std::int64_t conversation_id = 0;
  std::string text;
  std::string payload_json;  // rendered for the channel by the gateway
};

class AdminStore {
 public:
  virtual ~AdminStore() = default;

  // Users.
  virtual Result<std::optional<AdminUser>> find_user(std::string_view name) = 0;
  virtual Result<std::optional<AdminUser>> user_by_id(std::int64_t id) = 0;
  virtual Result<std::int64_t> count_users() = 0;
  // Fails with duplicate when the name is taken.
  virtual Result<std::int64_t> add_user(const AdminUser& user, const Actor& actor, Millis now) = 0;
  // Every user by name.
  virtual Result<std::vector<AdminUserListing>> list_users() = 0;
  // The changes of the Users page; each is audited in its transaction and fails with
  // invalid for an unknown user. Disabling a user (and setting a new password) ends the
  // user's sessions at once.
  virtual Result<void> change_role(std::int64_t user_id, std::string_view role,
                                   std::string_view team, const Actor& actor, Millis now) = 0;
  virtual Result<void> set_disabled(std::int64_t user_id, bool disabled, const Actor& actor,
                                    Millis now) = 0;
  virtual Result<void> set_password_hash(std::int64_t user_id, std::string_view password_hash,
                                         const Actor& actor, Millis now) = 0;

  // Sessions.
  virtual Result<void> create_session(const AdminSession& session, const Actor& actor,
                                      Millis now) = 0;
  virtual Result<std::optional<AdminSession>> find_session(std::string_view id_hash) = 0;
  virtual Result<void> touch_session(std::string_view id_hash, Millis now) = 0;
  virtual Result<void> end_session(std::string_view id_hash, const Actor& actor, Millis now) = 0;
  // Removes sessions that expired before `now` (retention of sessions).
  virtual Result<std::int64_t> purge_sessions(Millis idle_before, Millis now) = 0;

  // Audit log: appended by the writes here, or directly. Newest first.
  virtual Result<void> append_audit(const Actor& actor, std::string_view action,
                                    std::string_view object, std::string_view detail,
                                    Millis now) = 0;
  virtual Result<std::vector<AuditEntry>> audit_log(std::int64_t limit) = 0;

  // Content.
  virtual Result<std::vector<ContentOverride>> content_overrides() = 0;
  // Applies the edit and appends its revision and audit row. Returns the revision id.
  virtual Result<std::int64_t> save_text(const TextEdit& edit, const Actor& actor, Millis now) = 0;
  virtual Result<std::vector<ContentRevision>> revisions(std::string_view language,
                                                         std::string_view key) = 0;
  virtual Result<std::optional<ContentRevision>> revision(std::int64_t id) = 0;
  // Texts flagged "needs review": {language, key} pairs.
  virtual Result<std::vector<ContentOverride>> review_flags() = 0;
  virtual Result<void> confirm_review(std::string_view language, std::string_view key,
                                      const Actor& actor, Millis now) = 0;

  // Inbox.
  virtual Result<std::vector<InboxItem>> inbox(const InboxFilter& filter) = 0;
  virtual Result<std::optional<InboxItem>> inbox_item(std::int64_t conversation_id) = 0;
  virtual Result<std::vector<ConversationMessage>> conversation_messages(
      std::int64_t conversation_id, std::int64_t limit) = 0;
  // Pauses the bot in the conversation (paused_by_human) and marks it taken by `actor`.
  virtual Result<void> take_over(std::int64_t conversation_id, const Actor& actor, Millis now) = 0;
  // Lets the bot answer again; the item leaves the inbox.
  virtual Result<void> release(std::int64_t conversation_id, const Actor& actor, Millis now) = 0;
  virtual Result<void> mark_read(std::int64_t conversation_id, Millis now) = 0;
  // Stores the reply as an outbound message and queues it in the outbox; returns the
  // outbox id. Fails with invalid unless the conversation is taken over.
  virtual Result<std::int64_t> queue_human_reply(const HumanReply& reply, const Actor& actor,
                                                 Millis now) = 0;
};

// The admin side of a store opened by open_sqlite_store(). `store` must outlive it.
// Fails with invalid when `store` is not a SQLite store.
Result<std::unique_ptr<AdminStore>> admin_store_for(Store& store);

}  // namespace buurtlijn::store
