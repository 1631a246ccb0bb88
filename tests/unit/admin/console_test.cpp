// The console as a function from request to response, over a real SQLite store and the
// built-in content: login and its refusals, the session cookie, CSRF, roles, expiry,
// logout, and a text edit that is checked, published and audited.
#include "admin/console.hpp"

#include <doctest/doctest.h>

#include "admin/html.hpp"
#include "locales/embedded.hpp"
#include "store/admin_store.hpp"
#include "store/case_store.hpp"
#include "tests/unit/store/test_support.hpp"

namespace buurtlijn::admin {
namespace {

// The host a server would be, minus the sockets: holds the published content and keeps
// the replies it was asked to deliver.
class HeldContent final : public ConsoleHost {
 public:
  std::shared_ptr<const dialogs::Content> content() const override { return content_; }
  void publish(std::shared_ptr<const dialogs::Content> content) override {
    content_ = std::move(content);
    ++published;
  }
  std::vector<std::string> render_reply(std::string_view, const dialogs::Reply& reply) override {
    return {reply.language + ":" + reply.text};
  }
  void deliver(std::string_view, std::int64_t, std::int64_t, const std::string& payload) override {
    delivered.push_back(payload);
  }
  store::CaseStore* case_store() override { return cases; }
  std::shared_ptr<const dialogs::Content> content_;
  store::CaseStore* cases = nullptr;
  int published = 0;
  std::vector<std::string> delivered;
};

Files builtin_files() {
  Files files;
  for (const auto& [name, text] : locales::embedded_files()) files.emplace_back(name, text);
  return files;
}

constexpr const char* kPassword = "een lang wachtwoord";

struct Fixture {
  store::testing::TempDir dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::AdminStore> admin;
  HeldContent host;
  std::unique_ptr<Console> console;
  Millis now = 1'700'000'000'000;

  explicit Fixture(ConsoleOptions options = {}) {
    store = std::move(*store::open_sqlite_store(store::testing::options_for(dir)));
    admin = std::move(*store::admin_store_for(*store));
    auto editor = ContentEditor::create(builtin_files());
    REQUIRE_MESSAGE(editor, editor.error());
    host.content_ = *ContentEditor::build(builtin_files());
    console = std::make_unique<Console>(*admin, host, std::move(*editor), options);
  }
  void add(const std::string& name, const std::string& role, const std::string& team = "") {
    store::AdminUser user{0, name, role, team, *hash_password(kPassword), false};
    REQUIRE(admin->add_user(user, {0, "cli"}, now));
  }
  // A case of `category` (one report), written straight to the store; its id.
  std::int64_t add_case(const std::string& category, const std::string& path, std::int64_t number) {
    host.cases = &store->cases();
    store::NewReport write;
    write.category = category;
    write.area = {"WK015001", "Binnenstad", "BU01500101", "Binnenstad-Centrum"};
    write.language = "nl";
    write.channel = "open311";
    write.source = "cli";
    write.at = now;
    write.path = path;
    write.team = category == "exploitation" ? "uitbuiting" : "toezicht";
    write.target_on = "2026-12-01";
    write.number_candidates = {number};
    auto created = store::testing::wait_for<store::ReportCreated>(
        [&](auto done) { store->cases().create_report(write, done); });
    REQUIRE_MESSAGE(created, created.error().message);
    return created->case_id;
  }
  ConsoleResponse send(const std::string& method, const std::string& target,
                       const std::string& body = "", const std::string& cookie = "") {
    ConsoleRequest request;
    request.method = method;
    request.target = target;
    request.body = body;
    request.cookie = cookie;
    request.content_type = "application/x-www-form-urlencoded";
    request.peer = "192.0.2.1";
    request.host = "buurtlijn.test";
    return console->handle(request, now);
  }
  static std::string header(const ConsoleResponse& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return {};
  }
  // Logs in; returns the Cookie header value.
  std::string login(const std::string& name) {
    auto response =
        send("POST", "/admin/login", "name=" + name + "&password=" + url_encode(kPassword));
    REQUIRE(response.status == 303);
    const std::string set = header(response, "Set-Cookie");
    REQUIRE(set.rfind("bl_session=", 0) == 0);
    return set.substr(0, set.find(';'));
  }
  static std::string csrf_of(const ConsoleResponse& page) {
    const auto at = page.body.find("data-csrf=\"");
    REQUIRE(at != std::string::npos);
    const auto start = at + 11;
    return page.body.substr(start, page.body.find('"', start) - start);
  }
};

TEST_CASE("console: login sets a HttpOnly SameSite=Strict cookie; a wrong password does not") {
  Fixture f;
  f.add("anna", "coordinator");
  CHECK(f.send("GET", "/admin/").status == 303);
  CHECK(Fixture::header(f.send("GET", "/admin/"), "Location") == "/admin/login");
  auto wrong = f.send("POST", "/admin/login", "name=anna&password=nope");
  CHECK(wrong.status == 401);
  CHECK(Fixture::header(wrong, "Set-Cookie").empty());
  auto unknown = f.send("POST", "/admin/login", "name=nobody&password=nope");
  CHECK(unknown.status == 401);
  CHECK(unknown.body == wrong.body);  // the same answer for an unknown name

  auto ok =
      f.send("POST", "/admin/login", std::string("name=anna&password=") + url_encode(kPassword));
  REQUIRE(ok.status == 303);
  const std::string cookie = Fixture::header(ok, "Set-Cookie");
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("Path=/admin") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);  // plain HTTP here
  // The cookie value is not what the store keeps.
  const std::string value = cookie.substr(11, cookie.find(';') - 11);
  CHECK_FALSE(f.admin->find_session(value)->has_value());
  CHECK(f.admin->find_session(sha256_hex(value))->has_value());
}

TEST_CASE("console: failed logins are throttled per account") {
  ConsoleOptions options;
  options.throttle.max_per_account = 2;
  Fixture f(options);
  f.add("anna", "coordinator");
  CHECK(f.send("POST", "/admin/login", "name=anna&password=x").status == 401);
  CHECK(f.send("POST", "/admin/login", "name=anna&password=y").status == 401);
  auto locked =
      f.send("POST", "/admin/login", std::string("name=anna&password=") + url_encode(kPassword));
  CHECK(locked.status == 429);
  CHECK(Fixture::header(locked, "Set-Cookie").empty());
  f.now += options.throttle.window_ms;
  CHECK(f.send("POST", "/admin/login", std::string("name=anna&password=") + url_encode(kPassword))
            .status == 303);
}

TEST_CASE("console: a state-changing request needs the session's CSRF token") {
  Fixture f;
  f.add("anna", "buurtmaker");
  const std::string cookie = f.login("anna");
  auto page = f.send("GET", "/admin/node?id=waste_milieupas", "", cookie);
  REQUIRE(page.status == 200);
  const std::string csrf = Fixture::csrf_of(page);
  const std::string edit =
      "lang=ro&key=nodes.waste_milieupas.text&text=" + url_encode("Text nou despre milieupas.");
  CHECK(f.send("POST", "/admin/save", edit, cookie).status == 403);
  CHECK(f.send("POST", "/admin/save", edit + "&csrf=wrong", cookie).status == 403);
  CHECK(f.send("POST", "/admin/save", edit + "&csrf=" + csrf).status == 401);  // no session
  CHECK(f.admin->content_overrides()->empty());

  // With the token: checked, stored, published, audited.
  auto saved = f.send("POST", "/admin/save", edit + "&csrf=" + csrf, cookie);
  CHECK(saved.status == 303);
  CHECK(f.host.published == 1);
  auto text = f.host.content()->render("nodes.waste_milieupas.text", "ro");
  REQUIRE(text);
  CHECK(text->text == "Text nou despre milieupas.");
  CHECK(f.admin->audit_log(1)->front().action == "content.edit");

  // An edit the content check refuses is not stored and not published.
  auto refused = f.send(
      "POST", "/admin/save",
      "lang=ro&key=nodes.waste_milieupas.text&text=" + url_encode("Rupt {") + "&csrf=" + csrf,
      cookie);
  CHECK(refused.status == 422);
  CHECK(f.host.published == 1);
  CHECK(f.admin->content_overrides()->front().text == "Text nou despre milieupas.");

  // A Dutch edit flags the other languages for review (except Dutch itself).
  auto dutch =
      f.send("POST", "/admin/save",
             "lang=nl&key=nodes.waste_milieupas.text&text=" +
                 url_encode("Nieuwe Nederlandse tekst over de milieupas.") + "&csrf=" + csrf,
             cookie);
  CHECK(dutch.status == 303);
  CHECK(f.admin->review_flags()->size() == 15);
}

TEST_CASE("console: roles decide which pages open") {
  Fixture f;
  f.add("erik", "enforcement");
  f.add("bea", "buurtmaker");
  const std::string enforcement = f.login("erik");
  CHECK(f.send("GET", "/admin/content", "", enforcement).status == 403);
  CHECK(f.send("GET", "/admin/inbox", "", enforcement).status == 403);
  CHECK(f.send("GET", "/admin/audit", "", enforcement).status == 403);
  const std::string buurtmaker = f.login("bea");
  CHECK(f.send("GET", "/admin/content", "", buurtmaker).status == 200);
  CHECK(f.send("GET", "/admin/inbox", "", buurtmaker).status == 200);
  CHECK(f.send("GET", "/admin/audit", "", buurtmaker).status == 403);
  CHECK(f.send("GET", "/admin/no-such-page", "", buurtmaker).status == 404);
}

TEST_CASE("console: sessions expire when idle and end at logout") {
  Fixture f;
  f.add("anna", "coordinator");
  const std::string cookie = f.login("anna");
  auto inbox = f.send("GET", "/admin/inbox", "", cookie);
  CHECK(inbox.status == 200);
  const std::string csrf = Fixture::csrf_of(inbox);
  f.now += SessionPolicy{}.idle_ms;
  CHECK(Fixture::header(f.send("GET", "/admin/inbox", "", cookie), "Location") == "/admin/login");

  const std::string again = f.login("anna");
  const std::string token = Fixture::csrf_of(f.send("GET", "/admin/inbox", "", again));
  CHECK(token != csrf);  // a token per session
  auto out = f.send("POST", "/admin/logout", "csrf=" + token, again);
  CHECK(out.status == 303);
  CHECK(Fixture::header(out, "Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK(Fixture::header(f.send("GET", "/admin/inbox", "", again), "Location") == "/admin/login");
}

TEST_CASE("console: a cross-site post is refused by its Origin") {
  Fixture f;
  f.add("anna", "coordinator");
  ConsoleRequest request;
  request.method = "POST";
  request.target = "/admin/login";
  request.content_type = "application/x-www-form-urlencoded";
  request.body = std::string("name=anna&password=") + url_encode(kPassword);
  request.host = "buurtlijn.test";
  request.origin = "https://evil.example";
  CHECK(f.console->handle(request, f.now).status == 403);
  request.origin = "http://buurtlijn.test";
  CHECK(f.console->handle(request, f.now).status == 303);
}

TEST_CASE("console: pages escape what users wrote") {
  Fixture f;
  f.add("anna", "coordinator");
  store::InboundTurn turn = store::testing::make_turn("p-7f3a9c0d1e2b", "wamid.1", 0);
  turn.text = "<script>alert(1)</script>";
  turn.hand_over_reason = "requested";
  auto committed = store::testing::commit(*f.store, turn);
  REQUIRE(committed);
  const std::string cookie = f.login("anna");
  auto page = f.send("GET", "/admin/conversation?id=" + std::to_string(committed->conversation_id),
                     "", cookie);
  REQUIRE(page.status == 200);
  CHECK(page.body.find("<script>alert(1)") == std::string::npos);
  CHECK(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(page.body.find("<script>") == std::string::npos);  // no inline script at all
}

TEST_CASE("console: a ready answer goes out in the user's language") {
  Fixture f;
  f.add("anna", "buurtmaker");
  store::InboundTurn turn = store::testing::make_turn("p-7f3a9c0d1e2b", "wamid.1", 0);
  turn.hand_over_reason = "requested";
  auto committed = store::testing::commit(*f.store, turn);
  REQUIRE(committed);
  const std::string id = std::to_string(committed->conversation_id);
  const std::string cookie = f.login("anna");
  const std::string csrf = Fixture::csrf_of(f.send("GET", "/admin/inbox", "", cookie));
  CHECK(f.send("POST", "/admin/reply", "id=" + id + "&answer=waste_milieupas&csrf=" + csrf, cookie)
            .status == 409);
  CHECK(f.send("POST", "/admin/take", "id=" + id + "&csrf=" + csrf, cookie).status == 303);
  CHECK(f.send("POST", "/admin/reply", "id=" + id + "&answer=waste_milieupas&csrf=" + csrf, cookie)
            .status == 303);
  REQUIRE(f.host.delivered.size() == 1);
  const auto romanian = f.host.content()->render("nodes.waste_milieupas.text", "ro");
  CHECK(f.host.delivered.front() == "ro:" + romanian->text);
  CHECK(f.send("POST", "/admin/release", "id=" + id + "&csrf=" + csrf, cookie).status == 303);
}

TEST_CASE("console: outside WhatsApp's 24-hour window no reply is offered or sent") {
  Fixture f;
  f.add("anna", "buurtmaker");
  store::InboundTurn turn = store::testing::make_turn("p-7f3a9c0d1e2b", "wamid.1", 0);
  turn.hand_over_reason = "two_misses";
  turn.received_at = f.now;
  auto committed = store::testing::commit(*f.store, turn);
  REQUIRE(committed);
  const std::string id = std::to_string(committed->conversation_id);
  std::string cookie = f.login("anna");
  std::string csrf = Fixture::csrf_of(f.send("GET", "/admin/inbox", "", cookie));
  CHECK(f.send("POST", "/admin/take", "id=" + id + "&csrf=" + csrf, cookie).status == 303);
  auto open = f.send("GET", "/admin/conversation?id=" + id, "", cookie);
  CHECK(open.body.find("venster van 24 uur is open") != std::string::npos);
  CHECK(open.body.find("id=\"send-reply\"") != std::string::npos);

  f.now += 25LL * 60 * 60 * 1000;
  cookie = f.login("anna");
  csrf = Fixture::csrf_of(f.send("GET", "/admin/inbox", "", cookie));
  auto closed = f.send("GET", "/admin/conversation?id=" + id, "", cookie);
  CHECK(closed.body.find("venster van 24 uur is dicht") != std::string::npos);
  CHECK(closed.body.find("id=\"send-reply\"") == std::string::npos);
  CHECK(f.send("POST", "/admin/reply", "id=" + id + "&text=hallo&csrf=" + csrf, cookie).status ==
        409);
  CHECK(f.host.delivered.empty());
}

TEST_CASE("console: the coordinator manages users; other roles get 403") {
  Fixture f;
  f.add("anna", "coordinator");
  f.add("bob", "buurtmaker");
  const std::string bob = f.login("bob");
  CHECK(f.send("GET", "/admin/users", "", bob).status == 403);
  const std::string bob_csrf = Fixture::csrf_of(f.send("GET", "/admin/inbox", "", bob));
  CHECK(f.send("POST", "/admin/user-add",
               "name=eve&role=coordinator&mode=generated&csrf=" + bob_csrf, bob)
            .status == 403);
  CHECK_FALSE(f.admin->find_user("eve")->has_value());

  const std::string anna = f.login("anna");
  auto list = f.send("GET", "/admin/users", "", anna);
  REQUIRE(list.status == 200);
  CHECK(list.body.find("data-user=\"bob\"") != std::string::npos);
  CHECK(list.body.find("href=\"/admin/users\" aria-current=\"page\"") != std::string::npos);
  const std::string csrf = Fixture::csrf_of(list);
  const std::string password = url_encode("nog een lang wachtwoord");

  // Typed twice: the two must match; a team only for enforcement.
  auto mismatch =
      f.send("POST", "/admin/user-add",
             "name=carla&role=enforcement&team=exploitation&mode=typed&password=" + password +
                 "&password2=x&csrf=" + csrf,
             anna);
  CHECK(mismatch.body.find("niet gelijk") != std::string::npos);
  CHECK_FALSE(f.admin->find_user("carla")->has_value());
  auto added =
      f.send("POST", "/admin/user-add",
             "name=carla&role=enforcement&team=exploitation&mode=typed&password=" + password +
                 "&password2=" + password + "&csrf=" + csrf,
             anna);
  CHECK(added.status == 200);
  auto carla = f.admin->find_user("carla");
  REQUIRE(*carla);
  CHECK((*carla)->team == "exploitation");
  CHECK(verify_password((*carla)->password_hash, "nog een lang wachtwoord"));
  f.send("POST", "/admin/user-add",
         "name=dirk&role=buurtmaker&team=exploitation&mode=typed&password=" + password +
             "&password2=" + password + "&csrf=" + csrf,
         anna);
  CHECK((*f.admin->find_user("dirk"))->team.empty());  // no team outside enforcement
  CHECK(f.send("POST", "/admin/user-add",
               "name=dirk&role=buurtmaker&mode=typed&password=" + password +
                   "&password2=" + password + "&csrf=" + csrf,
               anna)
            .body.find("Er is al een gebruiker met de naam dirk") != std::string::npos);
  CHECK(f.admin->list_users()->size() == 4);

  // Generated: shown once in the answer, and it works.
  auto generated = f.send("POST", "/admin/user-add",
                          "name=eve&role=coordinator&mode=generated&csrf=" + csrf, anna);
  const std::string tag = "<code id=\"one-time-password\">";
  const auto at = generated.body.find(tag);
  REQUIRE(at != std::string::npos);
  const auto start = at + tag.size();
  const std::string once = generated.body.substr(start, generated.body.find('<', start) - start);
  CHECK(once.size() >= 12);
  CHECK(verify_password((*f.admin->find_user("eve"))->password_hash, once));
  CHECK(Fixture::header(generated, "Cache-Control") == "no-store");

  // Disabling ends bob's session at once; enabling lets him in again.
  const std::int64_t bob_id = (*f.admin->find_user("bob"))->id;
  const std::string id = "id=" + std::to_string(bob_id);
  CHECK(f.send("GET", "/admin/user?" + id, "", anna).status == 200);
  f.send("POST", "/admin/user-active", id + "&active=0&csrf=" + csrf, anna);
  CHECK((*f.admin->find_user("bob"))->disabled);
  CHECK(f.send("GET", "/admin/inbox", "", bob).status == 303);  // back to the login page
  CHECK(f.send("POST", "/admin/login", "name=bob&password=" + url_encode(kPassword)).status == 401);
  f.send("POST", "/admin/user-active", id + "&active=1&csrf=" + csrf, anna);
  const std::string bob_again = f.login("bob");

  // A role change, and a new password that ends the sessions.
  f.send("POST", "/admin/user-role", id + "&role=enforcement&team=&csrf=" + csrf, anna);
  CHECK((*f.admin->find_user("bob"))->role == "enforcement");
  f.send("POST", "/admin/user-password",
         id + "&mode=typed&password=" + password + "&password2=" + password + "&csrf=" + csrf,
         anna);
  CHECK(f.send("GET", "/admin/cases", "", bob_again).status == 303);
  CHECK(f.send("POST", "/admin/login", "name=bob&password=" + password).status == 303);

  // Not one's own account: no locking oneself out.
  const std::string self = "id=" + std::to_string((*f.admin->find_user("anna"))->id);
  f.send("POST", "/admin/user-active", self + "&active=0&csrf=" + csrf, anna);
  CHECK_FALSE((*f.admin->find_user("anna"))->disabled);

  // The list shows the last login; every change is in the audit log.
  CHECK(f.send("GET", "/admin/users", "", anna).body.find("Nog nooit") != std::string::npos);
  std::vector<std::string> actions;
  const auto log = f.admin->audit_log(100);
  REQUIRE(log);
  for (const auto& entry : *log) {
    if (entry.user_name == "anna" && entry.action.rfind("user.", 0) == 0) {
      actions.push_back(entry.action + " " + entry.object);
    }
  }
  CHECK(actions == std::vector<std::string>{"user.password user bob", "user.role user bob",
                                            "user.enable user bob", "user.disable user bob",
                                            "user.add user eve", "user.add user dirk",
                                            "user.add user carla"});
}

TEST_CASE("console: the restricted team sees only its own cases; refusals are in words") {
  Fixture f;
  f.add("erik", "enforcement");
  f.add("uma", "enforcement", "exploitation");
  const std::int64_t housing = f.add_case("overcrowded_housing", "housing", 4821);
  const std::int64_t sensitive = f.add_case("exploitation", "housing", 4822);
  const auto link = [](std::int64_t id) {
    return "href=\"/admin/case?id=" + std::to_string(id) + "\"";
  };
  const std::string uma = f.login("uma");
  auto queue = f.send("GET", "/admin/cases", "", uma);
  CHECK(queue.body.find(link(sensitive)) != std::string::npos);
  CHECK(queue.body.find(link(housing)) == std::string::npos);
  CHECK(f.send("GET", "/admin/case?id=" + std::to_string(housing), "", uma).status == 404);
  const std::string uma_csrf = Fixture::csrf_of(queue);
  CHECK(f.send("POST", "/admin/case-move",
               "id=" + std::to_string(housing) + "&from=new&to=triaged&csrf=" + uma_csrf, uma)
            .status == 404);

  const std::string erik = f.login("erik");
  queue = f.send("GET", "/admin/cases", "", erik);
  CHECK(queue.body.find(link(housing)) != std::string::npos);
  CHECK(queue.body.find(link(sensitive)) == std::string::npos);
  CHECK(f.send("GET", "/admin/case?id=" + std::to_string(sensitive), "", erik).status == 404);
  // A refused move is told in Dutch from the texts, not as the workflow's code.
  const std::string csrf = Fixture::csrf_of(queue);
  auto refused = f.send(
      "POST", "/admin/case-move",
      "id=" + std::to_string(housing) + "&from=new&to=closed&outcome=resolved&csrf=" + csrf, erik);
  CHECK(refused.body.find("van Nieuw kan de zaak niet naar Gesloten") != std::string::npos);
  CHECK(refused.body.find("Wel mogelijk: Beoordeeld") != std::string::npos);
  CHECK(refused.body.find("cannot go from") == std::string::npos);
  CHECK((*f.store->cases().find_case(housing))->state == "new");
  // Closed cases are listed on request only; the due filter knows deadlines.
  CHECK(f.send("GET", "/admin/cases?state=closed", "", erik).body.find("0 gesloten zaken") !=
        std::string::npos);
  CHECK(f.send("GET", "/admin/cases?due=deadline", "", erik).body.find("0 open zaken") !=
        std::string::npos);
}

}  // namespace
}  // namespace buurtlijn::admin
