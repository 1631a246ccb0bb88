// Internal to the console (console*.cpp): one request being served and the helpers the
// pages share (layout, redirects, refusals, times). Not thread-shared: a Visit lives for
// one request on one thread.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "admin/console.hpp"
#include "admin/html.hpp"

namespace buurtlijn::admin {

struct Console::Visit {
  Visit(const ConsoleRequest& request_in, Millis now_in) : request(request_in), now(now_in) {}
  const ConsoleRequest& request;
  Millis now = 0;
  std::string path;  // after "/admin/": "", "login", "static/admin.css", "api/inbox"
  std::map<std::string, std::string, std::less<>> query;
  std::map<std::string, std::string, std::less<>> form;
  std::string language = "nl";  // of the console's interface
  std::optional<store::AdminSession> session;
  std::optional<store::AdminUser> user;

  std::string t(std::string_view key, const UiArguments& arguments = {}) const {
    return UiText::embedded().get(language, key, arguments);
  }
  std::string param(std::string_view name) const {
    const auto found = form.find(name);
    if (found != form.end()) return found->second;
    const auto in_query = query.find(name);
    return in_query == query.end() ? std::string() : in_query->second;
  }
  store::Actor actor() const {
    return user ? store::Actor{user->id, user->name} : store::Actor{0, "anonymous"};
  }
  bool allowed(Permission permission) const { return user && role_allows(user->role, permission); }
};

namespace console_parts {

// The page inside the console's layout (navigation, user, language switch, logout).
ConsoleResponse page(const Console::Visit& visit, std::string_view title, const Html& body,
                     std::string_view active, int status = 200);
ConsoleResponse redirect(std::string location);
ConsoleResponse json(int status, std::string body);
// 403 (or the login page's redirect when nobody is logged in).
ConsoleResponse refuse(const Console::Visit& visit, int status, std::string_view message_key);
Html csrf_field(const Console::Visit& visit);
Html notice_box(std::string_view text, bool error);
std::string format_time(Millis at);
// A word diff (longest common subsequence): removed words in <del>, added in <ins>.
Html word_diff(std::string_view before, std::string_view after);
std::int64_t to_id(std::string_view text);  // 0 when not a positive number

}  // namespace console_parts
}  // namespace buurtlijn::admin
