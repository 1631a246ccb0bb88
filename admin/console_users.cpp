// The coordinator's Users page (see console.hpp): every console user with role, team,
// whether active and the last login; adding a user (a password typed twice, or a
// one-time password generated and shown once); changing a role; disabling (which ends
// the user's sessions at once) and enabling; setting a new password. Each change is
// audited by the store in the same transaction. `buurtlijn admin add-user` does the
// first job from the command line.
#include <algorithm>

#include "admin/console_parts.hpp"

namespace buurtlijn::admin {

using namespace console_parts;

namespace {

constexpr std::string_view kRoles[] = {"buurtmaker", "enforcement", "coordinator"};
constexpr std::string_view kExploitationTeam = "exploitation";

bool valid_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && name.find_first_of(" \t\r\n") == std::string::npos;
}

// The team a user of `role` gets: only enforcement users belong to the restricted team.
std::string team_for(std::string_view role, const std::string& asked) {
  return role == "enforcement" && asked == kExploitationTeam ? std::string(kExploitationTeam) : "";
}

Html role_select(const Console::Visit& visit, std::string_view id, std::string_view chosen) {
  Html options;
  for (const std::string_view role : kRoles) {
    options += fill(role == chosen ? R"(<option value="{{v}}" selected>{{l}}</option>)"
                                   : R"(<option value="{{v}}">{{l}}</option>)",
                    {{"v", std::string(role)}, {"l", visit.t("role." + std::string(role))}});
  }
  return fill(
      R"(<p><label for="{{id}}">{{label}}</label><select id="{{id}}" name="role" required>{{options}}</select></p>)",
      {{"id", std::string(id)}, {"label", visit.t("users.role")}, {"options", options}});
}

Html team_select(const Console::Visit& visit, std::string_view id, std::string_view chosen) {
  return fill(
      chosen == kExploitationTeam
          ? R"(<p><label for="{{id}}">{{label}}</label><select id="{{id}}" name="team" aria-describedby="{{id}}-hint"><option value="">{{none}}</option><option value="exploitation" selected>{{exploitation}}</option></select><span class="hint" id="{{id}}-hint">{{hint}}</span></p>)"
          : R"(<p><label for="{{id}}">{{label}}</label><select id="{{id}}" name="team" aria-describedby="{{id}}-hint"><option value="" selected>{{none}}</option><option value="exploitation">{{exploitation}}</option></select><span class="hint" id="{{id}}-hint">{{hint}}</span></p>)",
      {{"id", std::string(id)},
       {"label", visit.t("users.team")},
       {"none", visit.t("users.team_none")},
       {"exploitation", visit.t("users.team_exploitation")},
       {"hint", visit.t("users.team_hint")}});
}

// The password fields: typed twice, or generated (shown once after saving).
Html password_fields(const Console::Visit& visit, std::string_view prefix) {
  return fill(R"html(<fieldset><legend>{{legend}}</legend>
<p><input type="radio" id="{{p}}-typed" name="mode" value="typed" checked> <label for="{{p}}-typed">{{typed}}</label></p>
<p><label for="{{p}}-password">{{password}}</label><input id="{{p}}-password" name="password" type="password" autocomplete="new-password" minlength="12"></p>
<p><label for="{{p}}-password2">{{again}}</label><input id="{{p}}-password2" name="password2" type="password" autocomplete="new-password" minlength="12"></p>
<p><input type="radio" id="{{p}}-generated" name="mode" value="generated"> <label for="{{p}}-generated">{{generated}}</label></p>
</fieldset>)html",
              {{"p", std::string(prefix)},
               {"legend", visit.t("users.password_legend")},
               {"typed", visit.t("users.password_typed")},
               {"password", visit.t("users.password")},
               {"again", visit.t("users.password_again")},
               {"generated", visit.t("users.password_generated")}});
}

struct NewPassword {
  std::string password;
  bool generated = false;
  std::string problem_key;  // a UI text key when refused
};

NewPassword new_password(const Console::Visit& visit) {
  NewPassword result;
  if (visit.param("mode") == "generated") {
    result.password = random_token(15);  // 20 characters of base64url
    result.generated = true;
    return result;
  }
  result.password = visit.param("password");
  if (result.password != visit.param("password2")) {
    result.problem_key = "users.password_mismatch";
  } else if (!password_problem(result.password).empty()) {
    result.problem_key = "users.password_short";
  }
  return result;
}

Html one_time_box(const Console::Visit& visit, const std::string& name,
                  const std::string& password) {
  return fill(
      R"(<div class="notice" role="status"><p>{{intro}}</p><p><code id="one-time-password">{{password}}</code></p><p>{{hint}}</p></div>)",
      {{"intro", visit.t("users.one_time", {{"name", name}})},
       {"password", password},
       {"hint", visit.t("users.one_time_hint")}});
}

}  // namespace

ConsoleResponse Console::users_page(Visit& visit, const Html& notice) {
  auto users = store_.list_users();
  if (!users) return refuse(visit, 503, "error.store");
  Html rows;
  for (const store::AdminUserListing& user : *users) {
    rows += fill(
        R"(<tr data-user="{{name}}"><th scope="row"><a href="/admin/user?id={{id}}">{{name}}</a></th><td>{{role}}</td><td>{{team}}</td><td>{{active}}</td><td>{{login}}</td></tr>)",
        {{"id", std::to_string(user.id)},
         {"name", user.name},
         {"role", visit.t("role." + user.role)},
         {"team",
          user.team.empty() ? visit.t("users.team_none") : visit.t("users.team_exploitation")},
         {"active", visit.t(user.disabled ? "users.disabled" : "users.active")},
         {"login", user.last_login ? format_time(*user.last_login) : visit.t("users.never")}});
  }
  const Html body = fill(R"html({{notice}}<p>{{intro}}</p>
<div class="scroll"><table id="users-table"><caption>{{caption}}</caption>
<thead><tr><th scope="col">{{name}}</th><th scope="col">{{role}}</th><th scope="col">{{team}}</th><th scope="col">{{state}}</th><th scope="col">{{login}}</th></tr></thead>
<tbody>{{rows}}</tbody></table></div>
<section><h2 id="add-title">{{add}}</h2>
<form method="post" action="/admin/user-add" class="user-form" aria-labelledby="add-title">{{csrf}}
<p><label for="new-name">{{name}}</label><input id="new-name" name="name" required maxlength="64" autocomplete="off" aria-describedby="new-name-hint"><span class="hint" id="new-name-hint">{{name_hint}}</span></p>
{{role_select}}{{team_select}}{{password}}
<p><button type="submit">{{add_button}}</button></p>
</form></section>)html",
                         {{"notice", notice},
                          {"intro", visit.t("users.intro")},
                          {"caption", visit.t("users.caption")},
                          {"name", visit.t("users.name")},
                          {"role", visit.t("users.role")},
                          {"team", visit.t("users.team")},
                          {"state", visit.t("users.state")},
                          {"login", visit.t("users.last_login")},
                          {"rows", rows},
                          {"add", visit.t("users.add")},
                          {"csrf", csrf_field(visit)},
                          {"name_hint", visit.t("users.name_hint")},
                          {"role_select", role_select(visit, "new-role", "buurtmaker")},
                          {"team_select", team_select(visit, "new-team", "")},
                          {"password", password_fields(visit, "new")},
                          {"add_button", visit.t("users.add_button")}});
  return page(visit, visit.t("users.title"), body, "users");
}

ConsoleResponse Console::users(Visit& visit) {
  return users_page(visit, {});
}

ConsoleResponse Console::user_page(Visit& visit, const Html& notice) {
  auto user = store_.user_by_id(to_id(visit.param("id")));
  if (!user) return refuse(visit, 503, "error.store");
  if (!*user) return refuse(visit, 404, "error.not_found");
  const store::AdminUser& shown = **user;
  const bool self = shown.id == visit.user->id;
  const std::string id = std::to_string(shown.id);
  Html changes;
  if (self) {
    changes = fill("<p>{{t}}</p>", {{"t", visit.t("users.self")}});
  } else {
    changes =
        fill(R"html(<section><h2 id="role-title">{{role_title}}</h2>
<form method="post" action="/admin/user-role" class="user-form" aria-labelledby="role-title">{{csrf}}<input type="hidden" name="id" value="{{id}}">
{{role_select}}{{team_select}}
<p><button type="submit">{{role_button}}</button></p></form></section>
<section><h2 id="active-title">{{active_title}}</h2>
<form method="post" action="/admin/user-active" aria-labelledby="active-title">{{csrf}}<input type="hidden" name="id" value="{{id}}"><input type="hidden" name="active" value="{{next}}">
<p>{{active_hint}}</p>
<p><button type="submit">{{active_button}}</button></p></form></section>
<section><h2 id="password-title">{{password_title}}</h2>
<form method="post" action="/admin/user-password" class="user-form" aria-labelledby="password-title">{{csrf}}<input type="hidden" name="id" value="{{id}}">
{{password}}
<p><button type="submit">{{password_button}}</button></p></form></section>)html",
             {{"role_title", visit.t("users.change_role")},
              {"csrf", csrf_field(visit)},
              {"id", id},
              {"role_select", role_select(visit, "edit-role", shown.role)},
              {"team_select", team_select(visit, "edit-team", shown.team)},
              {"role_button", visit.t("users.change_role_button")},
              {"active_title", visit.t("users.access")},
              {"next", shown.disabled ? "1" : "0"},
              {"active_hint", visit.t(shown.disabled ? "users.enable_hint" : "users.disable_hint")},
              {"active_button", visit.t(shown.disabled ? "users.enable" : "users.disable")},
              {"password_title", visit.t("users.reset_password")},
              {"password", password_fields(visit, "reset")},
              {"password_button", visit.t("users.reset_button")}});
  }
  const Html body = fill(R"html({{notice}}<p><a href="/admin/users">{{back}}</a></p>
<dl class="facts"><dt>{{l_role}}</dt><dd id="user-role">{{role}}</dd><dt>{{l_team}}</dt><dd>{{team}}</dd><dt>{{l_state}}</dt><dd id="user-state">{{state}}</dd></dl>
{{changes}})html",
                         {{"notice", notice},
                          {"back", visit.t("users.back")},
                          {"l_role", visit.t("users.role")},
                          {"role", visit.t("role." + shown.role)},
                          {"l_team", visit.t("users.team")},
                          {"team", shown.team.empty() ? visit.t("users.team_none")
                                                      : visit.t("users.team_exploitation")},
                          {"l_state", visit.t("users.state")},
                          {"state", visit.t(shown.disabled ? "users.disabled" : "users.active")},
                          {"changes", changes}});
  return page(visit, visit.t("users.user_title", {{"name", shown.name}}), body, "users");
}

ConsoleResponse Console::user(Visit& visit) {
  return user_page(visit, {});
}

ConsoleResponse Console::user_add(Visit& visit) {
  const std::string name = visit.param("name");
  const std::string role = visit.param("role");
  if (!valid_name(name)) {
    return users_page(visit, notice_box(visit.t("users.name_invalid"), true));
  }
  if (!is_role(role)) return refuse(visit, 400, "error.bad_request");
  const NewPassword password = new_password(visit);
  if (!password.problem_key.empty()) {
    return users_page(visit, notice_box(visit.t(password.problem_key), true));
  }
  auto hash = hash_password(password.password);
  if (!hash) return refuse(visit, 503, "error.store");
  store::AdminUser user;
  user.name = name;
  user.role = role;
  user.team = team_for(role, visit.param("team"));
  user.password_hash = *hash;
  auto added = store_.add_user(user, visit.actor(), visit.now);
  if (!added) {
    if (added.error().code == store::Error::Code::duplicate) {
      return users_page(visit, notice_box(visit.t("users.name_taken", {{"name", name}}), true));
    }
    return refuse(visit, 503, "error.store");
  }
  if (password.generated) {
    // Shown this once, on this response (not cached), never stored in plain text.
    return users_page(visit, one_time_box(visit, name, password.password));
  }
  return users_page(visit, notice_box(visit.t("users.added", {{"name", name}}), false));
}

ConsoleResponse Console::user_change(Visit& visit) {
  const std::int64_t id = to_id(visit.param("id"));
  auto found = store_.user_by_id(id);
  if (!found) return refuse(visit, 503, "error.store");
  if (!*found) return refuse(visit, 404, "error.not_found");
  visit.query["id"] = std::to_string(id);
  if (id == visit.user->id) return user_page(visit, notice_box(visit.t("users.self"), true));
  const std::string& name = (*found)->name;
  // A coordinator cannot change their own account here (no locking oneself out).
  store::Result<void> done;
  Html notice;
  if (visit.path == "user-role") {
    const std::string role = visit.param("role");
    if (!is_role(role)) return refuse(visit, 400, "error.bad_request");
    done =
        store_.change_role(id, role, team_for(role, visit.param("team")), visit.actor(), visit.now);
    notice = notice_box(visit.t("users.role_changed", {{"name", name}}), false);
  } else if (visit.path == "user-active") {
    const bool enable = visit.param("active") == "1";
    done = store_.set_disabled(id, !enable, visit.actor(), visit.now);
    notice = notice_box(visit.t(enable ? "users.enabled" : "users.disabled_done", {{"name", name}}),
                        false);
  } else {
    const NewPassword password = new_password(visit);
    if (!password.problem_key.empty()) {
      return user_page(visit, notice_box(visit.t(password.problem_key), true));
    }
    auto hash = hash_password(password.password);
    if (!hash) return refuse(visit, 503, "error.store");
    done = store_.set_password_hash(id, *hash, visit.actor(), visit.now);
    notice = password.generated
                 ? one_time_box(visit, name, password.password)
                 : notice_box(visit.t("users.password_set", {{"name", name}}), false);
  }
  if (!done) {
    if (done.error().code == store::Error::Code::invalid) {
      return refuse(visit, 404, "error.not_found");
    }
    return refuse(visit, 503, "error.store");
  }
  return user_page(visit, notice);
}

}  // namespace buurtlijn::admin
