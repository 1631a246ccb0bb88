// The Buurtmaker's console under /admin/: login and sessions, the content editor, the
// hand-over inbox and the audit log, as server-rendered HTML (html.hpp escapes by
// default) with static scripts (no inline script, so the CSP needs no 'unsafe-inline').
//
// handle() is a plain function from a request to a response: it reads and writes the
// store (writes block until committed, see admin_store.hpp) and never touches a socket.
// What it needs from the running server (the content holder, rendering a reply for a
// channel, pushing it to a web chat) comes through ConsoleHost, which the gateway
// implements. Every state-changing request needs a session, the role's permission and
// the session's CSRF token; every change is written to the audit log with the change.
//
// Thread-safe: the console holds the editor (immutable), the throttle (locked) and a
// mutex that serialises content saves (validate + store + publish as one step).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/broadcasts.hpp"
#include "admin/content_edit.hpp"
#include "admin/html.hpp"
#include "admin/security.hpp"
#include "admin/ui_text.hpp"
#include "cases/case_service.hpp"
#include "dialogs/engine.hpp"
#include "store/admin_store.hpp"
#include "store/case_store.hpp"

namespace buurtlijn::admin {

class ConsoleHost {
 public:
  virtual ~ConsoleHost() = default;
  virtual std::shared_ptr<const dialogs::Content> content() const = 0;
  // Makes `content` the one every conversation reads from its next turn on.
  virtual void publish(std::shared_ptr<const dialogs::Content> content) = 0;
  // The channel payloads of a reply: one, or several when the channel splits it (SMS).
  virtual std::vector<std::string> render_reply(std::string_view channel,
                                                const dialogs::Reply& reply) = 0;
  // A committed reply: pushed to the web chat's open sockets, or the outbox woken.
  virtual void deliver(std::string_view channel, std::int64_t conversation_id,
                       std::int64_t outbox_id, const std::string& payload) = 0;
  // The cases of the running server; null when it has none (the Cases page says so).
  virtual store::CaseStore* case_store() { return nullptr; }
  // The bytes of stored report photo `id` (gateway/photo_files.hpp); nullopt when none.
  virtual std::optional<std::string> photo_bytes(std::string_view id) {
    (void)id;
    return std::nullopt;
  }
  // The areas' outlines for the dashboard's map; null when the server has none.
  virtual const cases::AreaMap* area_map() { return nullptr; }
  // Plans and commits a move as `buurtlijn cases move` does (cases::plan_move, the
  // reporter updates queued, the outbox woken). The reason when refused.
  virtual tl::expected<store::CaseMoved, std::string> move_case(const cases::MoveInput& input) {
    (void)input;
    return tl::unexpected(std::string("no case handling in this server"));
  }
  // Broadcasts (admin/broadcasts.hpp); null when the server has none (the page says so).
  virtual BroadcastHost* broadcasts() { return nullptr; }
};

struct ConsoleRequest {
  std::string method;  // "GET", "POST", "HEAD"
  std::string target;  // "/admin/node?id=brp"
  std::string cookie;  // the Cookie header
  std::string content_type;
  std::string body;
  std::string csrf_header;  // X-CSRF-Token
  std::string origin;       // Origin header, when sent
  std::string host;         // Host header
  std::string accept_language;
  std::string peer;     // the client's address, for the login throttle
  bool secure = false;  // served over TLS (or a trusted proxy says so)
};

struct ConsoleResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie, Location, ...
};

struct ConsoleOptions {
  SessionPolicy sessions;
  LoginThrottle::Limits throttle;
};

class Console {
 public:
  Console(store::AdminStore& store, ConsoleHost& host, ContentEditor editor,
          ConsoleOptions options = {});

  // Applies the stored overrides to the built-in content and publishes it (at start).
  // Fails with the problems when the stored edits no longer fit the content.
  tl::expected<void, std::string> restore_overrides();

  ConsoleResponse handle(const ConsoleRequest& request, Millis now);

  struct Visit;  // one request with its session, user and language (console_parts.hpp)

 private:
  ConsoleResponse dispatch(Visit& visit);
  ConsoleResponse login_page(Visit& visit, std::string_view error, int status);
  ConsoleResponse login(Visit& visit);
  ConsoleResponse logout(Visit& visit);
  ConsoleResponse asset(const Visit& visit, std::string_view name);
  ConsoleResponse content_outline(Visit& visit);
  ConsoleResponse node_page(Visit& visit, std::string_view notice, std::vector<std::string> errors);
  ConsoleResponse save_text(Visit& visit);
  ConsoleResponse revert(Visit& visit);
  ConsoleResponse confirm(Visit& visit);
  ConsoleResponse history(Visit& visit);
  ConsoleResponse coverage(Visit& visit);
  ConsoleResponse preview(Visit& visit);
  ConsoleResponse inbox(Visit& visit);
  ConsoleResponse inbox_json(Visit& visit);
  ConsoleResponse conversation(Visit& visit, std::string_view notice);
  ConsoleResponse take_or_release(Visit& visit, bool take);
  ConsoleResponse reply(Visit& visit);
  ConsoleResponse audit(Visit& visit);
  ConsoleResponse cases_queue(Visit& visit);  // console_cases.cpp
  ConsoleResponse case_page(Visit& visit, std::string_view notice,
                            bool error);                     // console_cases.cpp
  ConsoleResponse case_move(Visit& visit);                   // console_cases.cpp
  ConsoleResponse photo(Visit& visit, std::string_view id);  // console_cases.cpp
  ConsoleResponse dashboard(Visit& visit);                   // console_dashboard.cpp
  ConsoleResponse dashboard_csv(Visit& visit);               // console_dashboard.cpp
  ConsoleResponse users(Visit& visit);                       // console_users.cpp
  ConsoleResponse users_page(Visit& visit, const Html& notice);
  ConsoleResponse user(Visit& visit);
  ConsoleResponse user_page(Visit& visit, const Html& notice);
  ConsoleResponse user_add(Visit& visit);
  ConsoleResponse user_change(Visit& visit);        // role, active, password
  ConsoleResponse broadcasts_list(Visit& visit);    // console_broadcasts.cpp
  ConsoleResponse broadcast_compose(Visit& visit);  // console_broadcasts.cpp
  ConsoleResponse broadcast_preview(Visit& visit);  // console_broadcasts.cpp
  ConsoleResponse broadcast_send(Visit& visit);     // console_broadcasts.cpp
  ConsoleResponse broadcast_page(Visit& visit);     // console_broadcasts.cpp
  ConsoleResponse broadcast_cancel(Visit& visit);   // console_broadcasts.cpp
  ConsoleResponse broadcast_json(Visit& visit);     // console_broadcasts.cpp

  // Validates, stores and publishes one text edit; returns problems for the person.
  std::vector<std::string> store_edit(Visit& visit, store::TextEdit edit);
  // The same for several edits at once (an import): one check, one publication.
  std::vector<std::string> store_edits(Visit& visit, std::vector<store::TextEdit> edits);
  ConsoleResponse export_po(Visit& visit);
  ConsoleResponse import_page(Visit& visit);

  store::AdminStore& store_;
  ConsoleHost& host_;
  const ContentEditor editor_;
  const ConsoleOptions options_;
  LoginThrottle throttle_;
  std::mutex content_mutex_;
};

}  // namespace buurtlijn::admin
