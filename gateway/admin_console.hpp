// Wires the Buurtmaker's console (admin/console.hpp) into the running server: the
// console's store, its host (the content holder, reply rendering, web chat delivery,
// the outbox) and the /admin/ routes' adapter from Beast requests. Also the
// `buurtlijn admin add-user` command. Thread-safe as the console is.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "gateway/content_holder.hpp"
#include "gateway/http_responses.hpp"

namespace buurtlijn::gateway {

struct App;
struct AdminConsole;  // defined in admin_console.cpp

// Creates the console over app.store, re-applies the stored text edits to the content
// (publishing it) and logs how to create a first user when there is none. Returns
// nullptr (after logging why) when the stored edits cannot be applied.
// `loaded` is what the server's content was parsed from (the console edits those files).
std::shared_ptr<AdminConsole> start_admin_console(App& app, LoadedContent loaded);

// Serves a request under /admin/; `client` is the client's address (for the login
// throttle), as http_session read it (see client_origin.hpp).
Response handle_admin(App& app, const Request& request, const std::string& client);

// `buurtlijn admin add-user --name N --role R [--team T]`: password from stdin.
int admin_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                  std::ostream& err);

}  // namespace buurtlijn::gateway

namespace buurtlijn::gateway {

// `buurtlijn content export --lang L` (PO on stdout) and `buurtlijn content import FILE
// [--apply]` (shows the changes and the check's problems; --apply stores them as edits
// of "cli", taking effect at the next start of a server on the same data directory).
int translations_command(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err);

}  // namespace buurtlijn::gateway
