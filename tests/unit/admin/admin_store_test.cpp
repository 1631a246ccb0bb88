// The console's tables: users, sessions, the append-only audit log, text edits with
// revisions and review flags, and the hand-over inbox fed by dialog turns.
#include "store/admin_store.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "store/case_store.hpp"
#include "store/sqlite_store.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::store {
namespace {

using testing::TempDir;

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<AdminStore> admin;
  Fixture() {
    auto opened = open_sqlite_store(testing::options_for(dir));
    REQUIRE_MESSAGE(opened, opened.error().message);
    store = std::move(*opened);
    auto made = admin_store_for(*store);
    REQUIRE(made);
    admin = std::move(*made);
  }
  std::int64_t add(const std::string& name, const std::string& role) {
    AdminUser user{0, name, role, "", "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA", false};
    auto id = admin->add_user(user, {0, "cli"}, 1000);
    REQUIRE(id);
    return *id;
  }
};

TEST_CASE("admin store: users are unique by name and every addition is audited") {
  Fixture f;
  CHECK(*f.admin->count_users() == 0);
  const std::int64_t anna = f.add("anna", "coordinator");
  CHECK(*f.admin->count_users() == 1);
  auto found = f.admin->find_user("anna");
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->id == anna);
  CHECK((*found)->role == "coordinator");
  CHECK_FALSE(f.admin->find_user("nobody")->has_value());
  AdminUser again{0, "anna", "buurtmaker", "", "x", false};
  auto duplicate = f.admin->add_user(again, {0, "cli"}, 2000);
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error().code == Error::Code::duplicate);
  AdminUser bad{0, "eve", "root", "", "x", false};
  CHECK_FALSE(f.admin->add_user(bad, {0, "cli"}, 2000));  // the CHECK constraint on roles
  auto log = f.admin->audit_log(10);
  REQUIRE(log);
  REQUIRE(log->size() == 1);
  CHECK(log->front().action == "user.add");
  CHECK(log->front().object == "user anna");
  CHECK(log->front().user_name == "cli");
}

TEST_CASE("admin store: the audit log refuses UPDATE and DELETE") {
  Fixture f;
  f.add("anna", "coordinator");
  auto* sqlite = dynamic_cast<SqliteStore*>(f.store.get());
  auto changed = testing::wait_for<bool>([&](auto done) {
    sqlite->write<bool>(
        [](SqliteConnection& db) -> Result<bool> {
          if (auto ok = db.exec("UPDATE audit_log SET user_name = 'mallory'"); !ok) {
            return tl::unexpected(ok.error());
          }
          return true;
        },
        done);
  });
  CHECK_FALSE(changed);
  auto deleted = testing::wait_for<bool>([&](auto done) {
    sqlite->write<bool>(
        [](SqliteConnection& db) -> Result<bool> {
          if (auto ok = db.exec("DELETE FROM audit_log"); !ok) return tl::unexpected(ok.error());
          return true;
        },
        done);
  });
  CHECK_FALSE(deleted);
  CHECK(f.admin->audit_log(10)->size() == 1);
}

TEST_CASE("admin store: sessions are found by their hash, touched, ended and purged") {
  Fixture f;
  const std::int64_t anna = f.add("anna", "buurtmaker");
  AdminSession session{"hash-1", anna, "csrf-1", 1000, 1000, 50'000};
  REQUIRE(f.admin->create_session(session, {anna, "anna"}, 1000));
  auto found = f.admin->find_session("hash-1");
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->csrf_token == "csrf-1");
  REQUIRE(f.admin->touch_session("hash-1", 2000));
  CHECK((**f.admin->find_session("hash-1")).last_seen_at == 2000);
  REQUIRE(
      f.admin->create_session({"hash-2", anna, "csrf-2", 1000, 1000, 3000}, {anna, "anna"}, 1000));
  auto purged = f.admin->purge_sessions(0, 4000);  // hash-2 expired at 3000
  REQUIRE(purged);
  CHECK(*purged == 1);
  REQUIRE(f.admin->end_session("hash-1", {anna, "anna"}, 5000));
  CHECK_FALSE(f.admin->find_session("hash-1")->has_value());
  auto log = f.admin->audit_log(10);
  CHECK(log->front().action == "session.logout");
}

TEST_CASE("admin store: a text edit keeps an override, a revision and review flags") {
  Fixture f;
  const std::int64_t anna = f.add("anna", "buurtmaker");
  TextEdit edit;
  edit.language = "nl";
  edit.key = "nodes.brp.text";
  edit.text = "Nieuwe tekst";
  edit.previous = "Oude tekst";
  edit.flag_for_review = {"ro", "bg"};
  auto first = f.admin->save_text(edit, {anna, "anna"}, 1000);
  REQUIRE(first);
  auto overrides = f.admin->content_overrides();
  REQUIRE(overrides->size() == 1);
  CHECK(overrides->front().text == "Nieuwe tekst");
  CHECK(f.admin->review_flags()->size() == 2);

  // Editing the Romanian text is reviewing it; confirming the Bulgarian one clears it.
  TextEdit romanian{"ro", "nodes.brp.text", "Text nou", "Text vechi", "edit", false, {}};
  REQUIRE(f.admin->save_text(romanian, {anna, "anna"}, 2000));
  REQUIRE(f.admin->confirm_review("bg", "nodes.brp.text", {anna, "anna"}, 3000));
  CHECK(f.admin->review_flags()->empty());
  CHECK_FALSE(f.admin->confirm_review("bg", "nodes.brp.text", {anna, "anna"}, 3000));

  // Back to the built-in text: the override goes, the history stays.
  TextEdit revert{"nl", "nodes.brp.text", "Oude tekst", "Nieuwe tekst", "revert", true, {}};
  REQUIRE(f.admin->save_text(revert, {anna, "anna"}, 4000));
  overrides = f.admin->content_overrides();
  REQUIRE(overrides->size() == 1);
  CHECK(overrides->front().language == "ro");
  auto history = f.admin->revisions("nl", "nodes.brp.text");
  REQUIRE(history->size() == 2);
  CHECK(history->front().kind == "revert");
  CHECK(history->back().user_name == "anna");
  CHECK((**f.admin->revision(*first)).previous == "Oude tekst");
  std::vector<std::string> actions;
  auto log = f.admin->audit_log(10);
  REQUIRE(log);
  for (const auto& entry : *log) actions.push_back(entry.action);
  CHECK(actions == std::vector<std::string>{"content.revert", "content.confirm", "content.edit",
                                            "content.edit", "user.add"});
}

TEST_CASE("admin store: a hand-over enters the inbox; take over pauses the bot; replies queue") {
  Fixture f;
  const std::int64_t anna = f.add("anna", "buurtmaker");
  InboundTurn turn = testing::make_turn("p-7f3a9c0d1e2b", "wamid.1", 0);
  turn.hand_over_reason = "requested";
  auto committed = testing::commit(*f.store, turn);
  REQUIRE(committed);
  const std::int64_t id = committed->conversation_id;

  auto inbox = f.admin->inbox({});
  REQUIRE(inbox);
  REQUIRE(inbox->size() == 1);
  CHECK(inbox->front().reason == "requested");
  CHECK(inbox->front().state == "waiting");
  CHECK(inbox->front().unread == 1);
  CHECK(inbox->front().language == "ro");
  CHECK(f.admin->inbox({"bg", "", false, ""})->empty());
  CHECK(f.admin->inbox({"ro", "whatsapp", false, ""})->size() == 1);
  CHECK(f.admin->inbox({"", "telegram", false, ""})->empty());

  // No reply before taking over.
  HumanReply reply{id, "Bună ziua", "{\"text\":\"Bună ziua\"}"};
  auto refused = f.admin->queue_human_reply(reply, {anna, "anna"}, 2000);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Error::Code::invalid);

  REQUIRE(f.admin->take_over(id, {anna, "anna"}, 2000));
  auto conversation = f.store->find_conversation("whatsapp", "p-7f3a9c0d1e2b");
  REQUIRE(*conversation);
  CHECK((*conversation)->paused_by_human);
  CHECK((*f.admin->inbox_item(id))->taken_by == "anna");
  auto outbox_id = f.admin->queue_human_reply(reply, {anna, "anna"}, 3000);
  REQUIRE(outbox_id);
  auto pending = f.store->undelivered_outbox(id);
  REQUIRE(pending);
  const auto queued = std::find_if(pending->begin(), pending->end(),
                                   [&](const OutboxItem& item) { return item.id == *outbox_id; });
  REQUIRE(queued != pending->end());
  CHECK(queued->channel == "whatsapp");
  CHECK(queued->status == "queued");
  CHECK((*f.admin->inbox_item(id))->unread == 0);  // replying reads the conversation
  auto messages = f.admin->conversation_messages(id, 10);
  REQUIRE(messages);
  CHECK(messages->back().direction == "out");
  CHECK(messages->back().text == "Bună ziua");

  REQUIRE(f.admin->release(id, {anna, "anna"}, 4000));
  CHECK_FALSE((*f.store->find_conversation("whatsapp", "p-7f3a9c0d1e2b"))->paused_by_human);
  CHECK(f.admin->inbox({})->empty());
  CHECK(f.admin->inbox({"", "", true, ""})->size() == 1);
  CHECK_FALSE(f.admin->take_over(9999, {anna, "anna"}, 5000));
}

TEST_CASE("admin store: the inbox knows the area of the person's latest report") {
  Fixture f;
  InboundTurn turn = testing::make_turn("p-7f3a9c0d1e2b", "wamid.1", 0);
  turn.hand_over_reason = "requested";
  REQUIRE(testing::commit(*f.store, turn));
  REQUIRE(f.admin->inbox({})->size() == 1);
  CHECK(f.admin->inbox({})->front().area.empty());  // nothing known yet

  auto report = [&](const std::string& wijk, Millis at) {
    NewReport write;
    write.category = "waste_beside_container";
    write.area = {wijk == "unknown" ? "unknown" : "WK1", wijk, "unknown", "unknown"};
    write.language = "ro";
    write.subject_pseudonym = "p-7f3a9c0d1e2b";
    write.channel = "whatsapp";
    write.source = "chat";
    write.at = at;
    write.path = "short";
    write.team = "afval";
    write.target_on = "2026-12-01";
    write.number_candidates = {1000 + at % 1000};
    auto created = testing::wait_for<ReportCreated>(
        [&](auto done) { f.store->cases().create_report(write, done); });
    REQUIRE_MESSAGE(created, created.error().message);
  };
  report("Rivierenwijk", 5001);
  report("unknown", 5002);  // a later report without a known area does not hide it
  const auto items = f.admin->inbox({});
  REQUIRE(items->size() == 1);
  CHECK(items->front().area == "Rivierenwijk");
  InboxFilter here;
  here.area = "Rivierenwijk";
  CHECK(f.admin->inbox(here)->size() == 1);
  InboxFilter elsewhere;
  elsewhere.area = "Voorstad";
  CHECK(f.admin->inbox(elsewhere)->empty());
  CHECK((*f.admin->inbox_item(items->front().conversation_id))->area == "Rivierenwijk");
}

TEST_CASE("admin store: users are listed, changed, disabled and given a new password") {
  Fixture f;
  const std::int64_t anna = f.add("anna", "coordinator");
  const std::int64_t bob = f.add("bob", "buurtmaker");
  const Actor by{anna, "anna"};
  REQUIRE(f.admin->create_session({"hash-bob", bob, "csrf", 100, 100, 100000}, {bob, "bob"}, 100));
  auto users = f.admin->list_users();
  REQUIRE(users);
  REQUIRE(users->size() == 2);
  CHECK(users->at(0).name == "anna");
  CHECK_FALSE(users->at(0).last_login);
  CHECK(users->at(1).name == "bob");
  REQUIRE(users->at(1).last_login);
  CHECK(*users->at(1).last_login == 100);

  REQUIRE(f.admin->change_role(bob, "enforcement", "exploitation", by, 200));
  CHECK((*f.admin->user_by_id(bob))->role == "enforcement");
  CHECK((*f.admin->user_by_id(bob))->team == "exploitation");
  CHECK_FALSE(f.admin->change_role(bob, "root", "", by, 200));  // the CHECK on roles
  CHECK((*f.admin->user_by_id(bob))->role == "enforcement");

  REQUIRE(f.admin->set_disabled(bob, true, by, 300));
  CHECK((*f.admin->user_by_id(bob))->disabled);
  CHECK_FALSE(f.admin->find_session("hash-bob")->has_value());  // the session ended
  REQUIRE(f.admin->set_disabled(bob, false, by, 400));
  CHECK_FALSE((*f.admin->user_by_id(bob))->disabled);

  REQUIRE(f.admin->create_session({"hash-bob2", bob, "csrf", 450, 450, 100000}, {bob, "bob"}, 450));
  REQUIRE(f.admin->set_password_hash(bob, "$argon2id$new", by, 500));
  CHECK((*f.admin->user_by_id(bob))->password_hash == "$argon2id$new");
  CHECK_FALSE(f.admin->find_session("hash-bob2")->has_value());

  const auto unknown = f.admin->set_disabled(9999, true, by, 600);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == Error::Code::invalid);

  auto log = f.admin->audit_log(20);
  REQUIRE(log);
  std::vector<std::string> actions;
  for (const AuditEntry& entry : *log) {
    if (entry.object == "user bob" && entry.user_name == "anna") actions.push_back(entry.action);
  }
  CHECK(actions ==
        std::vector<std::string>{"user.password", "user.enable", "user.disable", "user.role"});
}

}  // namespace
}  // namespace buurtlijn::store
