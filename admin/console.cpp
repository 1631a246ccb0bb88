// The console's core (see console.hpp): sessions, login and logout, CSRF and role
// checks, dispatch, the layout, static files and the audit log page. The content
// editor's pages are in console_content.cpp, the inbox's in console_inbox.cpp.
#include "admin/console.hpp"

#include <boost/json.hpp>
#include <ctime>

#include "admin/console_parts.hpp"
#include "admin/embedded_locales.hpp"

namespace buurtlijn::admin {

namespace console_parts {
namespace {

struct NavEntry {
  std::string_view path;
  std::string_view key;
  Permission permission;
  bool built;  // pages of later rounds (cases, broadcasts, dashboard) slot in here
};

constexpr NavEntry kNavigation[] = {
    {"inbox", "nav.inbox", Permission::inbox, true},
    {"content", "nav.content", Permission::content, true},
    {"coverage", "nav.coverage", Permission::content, true},
    {"import", "nav.translations", Permission::content, true},
    {"cases", "nav.cases", Permission::cases, true},
    {"broadcasts", "nav.broadcasts", Permission::broadcasts, true},
    {"dashboard", "nav.dashboard", Permission::dashboard, true},
    {"users", "nav.users", Permission::users, true},
    {"audit", "nav.audit", Permission::audit, true},
};

constexpr std::string_view kLayout = R"html(<!doctype html>
<html lang="{{lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}} – Buurtlijn</title>
<link rel="stylesheet" href="/admin/static/admin.css">
<script src="/admin/static/admin.js" defer></script>
</head>
<body data-csrf="{{csrf}}" data-texts="{{texts}}">
<a class="skip" href="#main">{{skip}}</a>
<header class="top">
<span class="brand">Buurtlijn</span>
{{nav}}
<div class="who">{{who}}</div>
</header>
<main id="main" tabindex="-1">
<h1>{{title}}</h1>
{{body}}
</main>
</body>
</html>
)html";

// Texts the page scripts need (notifications, counters), as JSON in a data attribute.
std::string script_texts(const Console::Visit& visit) {
  boost::json::object texts;
  for (const std::string& key : UiText::embedded().keys("script.")) {
    texts[key.substr(7)] = visit.t(key);
  }
  return boost::json::serialize(texts);
}

}  // namespace

Html csrf_field(const Console::Visit& visit) {
  return fill(R"(<input type="hidden" name="csrf" value="{{token}}">)",
              {{"token", visit.session ? visit.session->csrf_token : std::string()}});
}

Html notice_box(std::string_view text, bool error) {
  if (text.empty()) return {};
  return fill(error ? R"(<p class="notice error" role="alert">{{text}}</p>)"
                    : R"(<p class="notice" role="status">{{text}}</p>)",
              {{"text", std::string(text)}});
}

ConsoleResponse page(const Console::Visit& visit, std::string_view title, const Html& body,
                     std::string_view active, int status) {
  Html nav;
  Html who;
  if (visit.user) {
    Html items;
    for (const NavEntry& entry : kNavigation) {
      if (!entry.built || !visit.allowed(entry.permission)) continue;
      const bool current = entry.path == active;
      items += fill(
          current
              ? R"(<li><a href="/admin/{{path}}" aria-current="page">{{label}}{{extra}}</a></li>)"
              : R"(<li><a href="/admin/{{path}}">{{label}}{{extra}}</a></li>)",
          {{"path", std::string(entry.path)},
           {"label", visit.t(entry.key)},
           {"extra",
            entry.path == "inbox"
                ? fill(R"( <span class="count" id="inbox-count" aria-live="polite"></span>)")
                : Html()}});
    }
    nav = fill(R"(<nav aria-label="{{label}}"><ul>{{items}}</ul></nav>)",
               {{"label", visit.t("nav.label")}, {"items", items}});
    who = fill(
        R"({{name}} ({{role}}) <form method="post" action="/admin/logout" class="inline">{{csrf}}<button type="submit">{{logout}}</button></form>)",
        {{"name", visit.user->name},
         {"role", visit.t("role." + visit.user->role)},
         {"csrf", csrf_field(visit)},
         {"logout", visit.t("nav.logout")}});
  }
  const std::string other = visit.language == "nl" ? "en" : "nl";
  who += fill(R"( <a href="/admin/language?set={{code}}" lang="{{code}}">{{name}}</a>)",
              {{"code", other}, {"name", other == "nl" ? "Nederlands" : "English"}});
  ConsoleResponse response;
  response.status = status;
  response.body =
      fill(kLayout, {{"lang", visit.language},
                     {"title", std::string(title)},
                     {"csrf", visit.session ? visit.session->csrf_token : std::string()},
                     {"texts", script_texts(visit)},
                     {"skip", visit.t("nav.skip")},
                     {"nav", nav},
                     {"who", who},
                     {"body", body}})
          .str();
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

ConsoleResponse redirect(std::string location) {
  ConsoleResponse response;
  response.status = 303;
  response.headers.emplace_back("Location", std::move(location));
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

ConsoleResponse json(int status, std::string body) {
  ConsoleResponse response;
  response.status = status;
  response.content_type = "application/json";
  response.body = std::move(body);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

ConsoleResponse refuse(const Console::Visit& visit, int status, std::string_view message_key) {
  if (visit.path.rfind("api/", 0) == 0) {
    return json(status, boost::json::serialize(boost::json::object{
                            {"error", boost::json::object{{"code", std::string(message_key)},
                                                          {"message", visit.t(message_key)}}}}));
  }
  return page(visit, visit.t("error.title"), notice_box(visit.t(message_key), true), "", status);
}

std::string format_time(Millis at) {
  const std::time_t seconds = static_cast<std::time_t>(at / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &parts);
  return text;
}

std::int64_t to_id(std::string_view text) {
  if (text.empty() || text.size() > 18) return 0;
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace console_parts

using namespace console_parts;

namespace {
constexpr std::string_view kSessionCookie = "bl_session";
constexpr std::string_view kLanguageCookie = "bl_admin_lang";

std::string session_cookie(std::string_view value, bool secure, bool clear) {
  std::string cookie = std::string(kSessionCookie) + "=" + std::string(value) +
                       "; Path=/admin; HttpOnly; SameSite=Strict";
  if (secure) cookie += "; Secure";
  if (clear) cookie += "; Max-Age=0";
  return cookie;
}
}  // namespace

Console::Console(store::AdminStore& store, ConsoleHost& host, ContentEditor editor,
                 ConsoleOptions options)
    : store_(store),
      host_(host),
      editor_(std::move(editor)),
      options_(options),
      throttle_(options.throttle) {}

tl::expected<void, std::string> Console::restore_overrides() {
  auto overrides = store_.content_overrides();
  if (!overrides) return tl::unexpected(overrides.error().message);
  if (overrides->empty()) return {};
  auto content = ContentEditor::build(editor_.apply(*overrides));
  if (!content) return tl::unexpected(content.error());
  host_.publish(*content);
  return {};
}

ConsoleResponse Console::handle(const ConsoleRequest& request, Millis now) {
  Visit visit(request, now);
  std::string_view target = request.target;
  const auto question = target.find('?');
  std::string_view path = target.substr(0, question);
  if (question != std::string_view::npos) visit.query = parse_form(target.substr(question + 1));
  constexpr std::string_view kPrefix = "/admin/";
  visit.path = path.size() >= kPrefix.size() ? std::string(path.substr(kPrefix.size())) : "";
  if (request.method == "POST" &&
      request.content_type.rfind("application/x-www-form-urlencoded", 0) == 0) {
    visit.form = parse_form(request.body);
  }
  const std::string chosen = cookie_value(request.cookie, kLanguageCookie);
  if (chosen == "en" || chosen == "nl") {
    visit.language = chosen;
  } else if (chosen.empty() && request.accept_language.rfind("en", 0) == 0) {
    visit.language = "en";
  }

  // The session, when the cookie names a live one.
  const std::string token = cookie_value(request.cookie, kSessionCookie);
  if (!token.empty() && token.size() <= 128) {
    const std::string id_hash = sha256_hex(token);
    auto session = store_.find_session(id_hash);
    if (!session) return refuse(visit, 503, "error.store");
    if (*session && session_alive((*session)->created_at, (*session)->last_seen_at,
                                  (*session)->expires_at, now, options_.sessions)) {
      auto user = store_.user_by_id((*session)->user_id);
      if (!user) return refuse(visit, 503, "error.store");
      if (*user && !(*user)->disabled) {
        visit.session = **session;
        visit.user = **user;
        if (now - (*session)->last_seen_at >= options_.sessions.touch_every_ms) {
          if (auto touched = store_.touch_session(id_hash, now); !touched) {
            return refuse(visit, 503, "error.store");
          }
        }
      }
    }
  }
  return dispatch(visit);
}

ConsoleResponse Console::dispatch(Visit& visit) {
  const std::string& path = visit.path;
  const bool post = visit.request.method == "POST";
  if (path.rfind("static/", 0) == 0) return asset(visit, std::string_view(path).substr(7));
  if (path == "language") {
    const std::string code = visit.param("set") == "en" ? "en" : "nl";
    ConsoleResponse response = redirect("/admin/");
    response.headers.emplace_back("Set-Cookie",
                                  std::string(kLanguageCookie) + "=" + code +
                                      "; Path=/admin; SameSite=Strict; Max-Age=31536000" +
                                      (visit.request.secure ? "; Secure" : ""));
    return response;
  }

  if (post) {
    // A cross-site form post is refused before anything else (SameSite=Strict cookies
    // already keep the session out of it).
    if (!visit.request.origin.empty() && visit.request.origin != "http://" + visit.request.host &&
        visit.request.origin != "https://" + visit.request.host) {
      return refuse(visit, 403, "error.origin");
    }
    if (path == "login") return login(visit);
  } else if (path == "login") {
    if (visit.user) return redirect("/admin/");
    return login_page(visit, "", 200);
  }

  if (!visit.user) {
    if (post || path.rfind("api/", 0) == 0) return refuse(visit, 401, "error.login_needed");
    return redirect("/admin/login");
  }
  if (post) {
    const std::string sent =
        !visit.request.csrf_header.empty() ? visit.request.csrf_header : visit.param("csrf");
    if (!same_token(sent, visit.session->csrf_token)) return refuse(visit, 403, "error.csrf");
  }

  struct Route {
    std::string_view path;
    bool post;
    Permission permission;
    ConsoleResponse (Console::*handler)(Visit&);
  };
  static constexpr Route kRoutes[] = {
      {"logout", true, Permission::inbox, &Console::logout},
      {"content", false, Permission::content, &Console::content_outline},
      {"save", true, Permission::content, &Console::save_text},
      {"revert", true, Permission::content, &Console::revert},
      {"confirm", true, Permission::content, &Console::confirm},
      {"history", false, Permission::content, &Console::history},
      {"coverage", false, Permission::content, &Console::coverage},
      {"api/preview", true, Permission::content, &Console::preview},
      {"inbox", false, Permission::inbox, &Console::inbox},
      {"api/inbox", false, Permission::inbox, &Console::inbox_json},
      {"audit", false, Permission::audit, &Console::audit},
      {"cases", false, Permission::cases, &Console::cases_queue},
      {"case-move", true, Permission::cases, &Console::case_move},
      {"dashboard", false, Permission::dashboard, &Console::dashboard},
      {"dashboard.csv", false, Permission::dashboard, &Console::dashboard_csv},
      {"users", false, Permission::users, &Console::users},
      {"user", false, Permission::users, &Console::user},
      {"user-add", true, Permission::users, &Console::user_add},
      {"user-role", true, Permission::users, &Console::user_change},
      {"user-active", true, Permission::users, &Console::user_change},
      {"user-password", true, Permission::users, &Console::user_change},
      {"broadcasts", false, Permission::broadcasts, &Console::broadcasts_list},
      {"broadcast-new", false, Permission::broadcasts, &Console::broadcast_compose},
      {"broadcast-preview", true, Permission::broadcasts, &Console::broadcast_preview},
      {"broadcast-send", true, Permission::broadcasts, &Console::broadcast_send},
      {"broadcast", false, Permission::broadcasts, &Console::broadcast_page},
      {"broadcast-cancel", true, Permission::broadcasts, &Console::broadcast_cancel},
      {"api/broadcast", false, Permission::broadcasts, &Console::broadcast_json},
  };
  if (path.empty()) {
    if (visit.allowed(Permission::inbox)) return redirect("/admin/inbox");
    if (visit.allowed(Permission::content)) return redirect("/admin/content");
    if (visit.allowed(Permission::cases)) return redirect("/admin/cases");
    return page(visit, visit.t("home.title"), notice_box(visit.t("home.nothing_yet"), false), "");
  }
  if (path == "logout" && post) return logout(visit);  // every role may log out
  if (path == "node") {
    if (!visit.allowed(Permission::content)) return refuse(visit, 403, "error.role");
    return node_page(visit, visit.param("saved").empty() ? "" : visit.t("editor.saved"), {});
  }
  if (path.rfind("photos/", 0) == 0) {  // a report's photo: /admin/photos/<id>
    if (post) return refuse(visit, 405, "error.method");
    if (!visit.allowed(Permission::cases)) return refuse(visit, 403, "error.role");
    return photo(visit, std::string_view(path).substr(7));
  }
  if (path == "case") {
    if (post) return refuse(visit, 405, "error.method");
    if (!visit.allowed(Permission::cases)) return refuse(visit, 403, "error.role");
    return case_page(visit, visit.param("moved").empty() ? "" : visit.t("case.moved"), false);
  }
  if (path == "import") {
    if (!visit.allowed(Permission::content)) return refuse(visit, 403, "error.role");
    return import_page(visit);
  }
  if (path == "export") {
    if (post) return refuse(visit, 405, "error.method");
    if (!visit.allowed(Permission::content)) return refuse(visit, 403, "error.role");
    return export_po(visit);
  }
  if (path == "conversation") {
    if (!visit.allowed(Permission::inbox)) return refuse(visit, 403, "error.role");
    return conversation(visit, visit.param("sent").empty() ? "" : visit.t("conversation.sent"));
  }
  if (path == "take" || path == "release") {
    if (!post) return refuse(visit, 405, "error.method");
    if (!visit.allowed(Permission::inbox)) return refuse(visit, 403, "error.role");
    return take_or_release(visit, path == "take");
  }
  if (path == "reply") {
    if (!post) return refuse(visit, 405, "error.method");
    if (!visit.allowed(Permission::inbox)) return refuse(visit, 403, "error.role");
    return reply(visit);
  }
  for (const Route& route : kRoutes) {
    if (route.path != path) continue;
    if (route.post != post) return refuse(visit, 405, "error.method");
    if (!visit.allowed(route.permission)) return refuse(visit, 403, "error.role");
    return (this->*route.handler)(visit);
  }
  return refuse(visit, 404, "error.not_found");
}

ConsoleResponse Console::login_page(Visit& visit, std::string_view error, int status) {
  const Html body = fill(R"html({{error}}
<form method="post" action="/admin/login" class="login">
<p><label for="name">{{name}}</label><input id="name" name="name" autocomplete="username" required autofocus></p>
<p><label for="password">{{password}}</label><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">{{submit}}</button></p>
</form>
<p class="hint">{{hint}}</p>)html",
                         {{"error", notice_box(error, true)},
                          {"name", visit.t("login.name")},
                          {"password", visit.t("login.password")},
                          {"submit", visit.t("login.submit")},
                          {"hint", visit.t("login.hint")}});
  return page(visit, visit.t("login.title"), body, "", status);
}

ConsoleResponse Console::login(Visit& visit) {
  const std::string name = visit.param("name");
  const std::string password = visit.param("password");
  const std::string address = visit.request.peer.empty() ? "unknown" : visit.request.peer;
  if (const Millis wait = throttle_.wait(name, address, visit.now); wait > 0) {
    return login_page(visit, visit.t("login.throttled", {{"minutes", (wait + 59'999) / 60'000}}),
                      429);
  }
  auto user = store_.find_user(name);
  if (!user) return refuse(visit, 503, "error.store");
  const bool known = *user && !(*user)->disabled;
  // Unknown names are verified against a dummy hash: the same time as a wrong password.
  const bool ok =
      verify_password(known ? (*user)->password_hash : dummy_password_hash(), password) && known;
  if (!ok) {
    throttle_.failed(name, address, visit.now);
    return login_page(visit, visit.t("login.failed"), 401);
  }
  throttle_.succeeded(name);
  const std::string token = random_token(32);
  store::AdminSession session;
  session.id_hash = sha256_hex(token);
  session.user_id = (*user)->id;
  session.csrf_token = random_token(32);
  session.created_at = visit.now;
  session.last_seen_at = visit.now;
  session.expires_at = visit.now + options_.sessions.absolute_ms;
  if (auto created = store_.create_session(session, {(*user)->id, (*user)->name}, visit.now);
      !created) {
    return refuse(visit, 503, "error.store");
  }
  // Retention: expired sessions go at each login.
  (void)store_.purge_sessions(visit.now - options_.sessions.idle_ms, visit.now);
  ConsoleResponse response = redirect("/admin/");
  response.headers.emplace_back("Set-Cookie", session_cookie(token, visit.request.secure, false));
  return response;
}

ConsoleResponse Console::logout(Visit& visit) {
  if (auto ended = store_.end_session(visit.session->id_hash, visit.actor(), visit.now); !ended) {
    return refuse(visit, 503, "error.store");
  }
  ConsoleResponse response = redirect("/admin/login");
  response.headers.emplace_back("Set-Cookie", session_cookie("", visit.request.secure, true));
  return response;
}

ConsoleResponse Console::asset(const Visit& visit, std::string_view name) {
  for (const auto& [file, bytes] : embedded_assets()) {
    if (file != name) continue;
    ConsoleResponse response;
    response.body = std::string(bytes);
    if (name.size() > 4 && name.substr(name.size() - 4) == ".css") {
      response.content_type = "text/css; charset=utf-8";
    } else if (name.size() > 3 && name.substr(name.size() - 3) == ".js") {
      response.content_type = "text/javascript; charset=utf-8";
    } else {
      response.content_type = "application/octet-stream";
    }
    response.headers.emplace_back("Cache-Control", "no-cache");
    return response;
  }
  return refuse(visit, 404, "error.not_found");
}

ConsoleResponse Console::audit(Visit& visit) {
  auto entries = store_.audit_log(300);
  if (!entries) return refuse(visit, 503, "error.store");
  Html rows;
  for (const store::AuditEntry& entry : *entries) {
    rows += fill(
        "<tr><td>{{at}}</td><td>{{who}}</td><td>{{action}}</td><td>{{object}}</td><td>{{detail}}</"
        "td></tr>",
        {{"at", format_time(entry.at)},
         {"who", entry.user_name},
         {"action", entry.action},
         {"object", entry.object},
         {"detail", entry.detail}});
  }
  const Html body = fill(R"html(<p>{{intro}}</p>
<div class="scroll"><table><caption>{{caption}}</caption>
<thead><tr><th scope="col">{{when}}</th><th scope="col">{{who}}</th><th scope="col">{{what}}</th><th scope="col">{{object}}</th><th scope="col">{{detail}}</th></tr></thead>
<tbody>{{rows}}</tbody></table></div>)html",
                         {{"intro", visit.t("audit.intro")},
                          {"caption", visit.t("audit.caption")},
                          {"when", visit.t("audit.when")},
                          {"who", visit.t("audit.who")},
                          {"what", visit.t("audit.what")},
                          {"object", visit.t("audit.object")},
                          {"detail", visit.t("audit.detail")},
                          {"rows", rows}});
  return page(visit, visit.t("audit.title"), body, "audit");
}

}  // namespace buurtlijn::admin
