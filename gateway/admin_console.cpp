// See admin_console.hpp.
#include "gateway/admin_console.hpp"

#include <termios.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <set>
#include <sstream>

#include "admin/console.hpp"
#include "admin/translations.hpp"
#include "connectors/webchat/webchat_frames.hpp"
#include "gateway/app.hpp"
#include "gateway/broadcasts.hpp"
#include "gateway/log.hpp"
#include "gateway/photo_files.hpp"
#include "gateway/webhooks.hpp"

namespace buurtlijn::gateway {

namespace {

admin::Millis now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class ServerConsoleHost final : public admin::ConsoleHost {
 public:
  explicit ServerConsoleHost(App& app) : app_(app), broadcasts_(ServerBroadcasts::create(app)) {}

  std::shared_ptr<const dialogs::Content> content() const override {
    return app_.content.current();
  }
  void publish(std::shared_ptr<const dialogs::Content> content) override {
    app_.content.publish(std::move(content));
    log::info("content.published");
  }
  std::vector<std::string> render_reply(std::string_view channel,
                                        const dialogs::Reply& reply) override {
    if (channel == "webchat") {
      connectors::webchat::BotMessage message;
      message.text = reply.text;
      message.language = reply.language;
      message.right_to_left = reply.right_to_left;
      return {connectors::webchat::render_outbox_payload(message)};
    }
    return reply_payloads(reply, channel, app_);
  }
  void deliver(std::string_view channel, std::int64_t conversation_id, std::int64_t outbox_id,
               const std::string& payload) override {
    if (channel == "webchat") {
      auto message = connectors::webchat::parse_outbox_payload(payload);
      if (!message) return;
      message->id = connectors::webchat::outbox_message_id(outbox_id);
      app_.webchat.deliver(conversation_id, connectors::webchat::render_bot_message(*message));
      app_.metrics.count_outbound("webchat");
      return;
    }
    if (app_.wake_outbox) app_.wake_outbox();
  }
  store::CaseStore* case_store() override { return app_.cases ? &app_.store->cases() : nullptr; }
  std::optional<std::string> photo_bytes(std::string_view id) override {
    return read_photo(photos_dir(app_.config.store.data_dir), id);
  }
  const cases::AreaMap* area_map() override { return app_.cases ? &app_.cases->areas : nullptr; }
  tl::expected<store::CaseMoved, std::string> move_case(const cases::MoveInput& input) override {
    if (!app_.cases) return tl::unexpected(std::string("no case handling in this server"));
    auto planned =
        cases::plan_move(input, app_.store->cases(), app_.cases->texts, app_.cases->render);
    if (!planned) return tl::unexpected(planned.error().reason);
    std::promise<store::Result<store::CaseMoved>> promise;
    auto future = promise.get_future();
    app_.store->cases().move_case(std::move(*planned),
                                  [&promise](store::Result<store::CaseMoved> result) {
                                    promise.set_value(std::move(result));
                                  });
    auto moved = future.get();
    if (!moved) return tl::unexpected(moved.error().message);
    if (!moved->outbox_ids.empty() && app_.wake_outbox) app_.wake_outbox();
    return std::move(*moved);
  }
  admin::BroadcastHost* broadcasts() override { return broadcasts_.get(); }

 private:
  App& app_;
  std::unique_ptr<ServerBroadcasts> broadcasts_;  // null when the store cannot have them
};

}  // namespace

struct AdminConsole {
  std::unique_ptr<store::AdminStore> store;
  std::unique_ptr<ServerConsoleHost> host;
  std::unique_ptr<admin::Console> console;
};

std::shared_ptr<AdminConsole> start_admin_console(App& app, LoadedContent loaded) {
  auto admin_store = store::admin_store_for(*app.store);
  if (!admin_store) {
    log::error("admin.store_failed", {{"reason", admin_store.error().message}});
    return nullptr;
  }
  auto editor = admin::ContentEditor::create(std::move(loaded.files), std::move(loaded.content));
  if (!editor) {
    log::error("admin.content_failed", {{"reason", editor.error()}});
    return nullptr;
  }
  auto wiring = std::make_shared<AdminConsole>();
  wiring->store = std::move(*admin_store);
  wiring->host = std::make_unique<ServerConsoleHost>(app);
  wiring->console =
      std::make_unique<admin::Console>(*wiring->store, *wiring->host, std::move(*editor));
  if (auto restored = wiring->console->restore_overrides(); !restored) {
    log::error("admin.content_edits_refused", {{"problems", restored.error()}});
    return nullptr;
  }
  auto users = wiring->store->count_users();
  if (users && *users == 0) {
    log::warn("admin.no_users",
              {{"hint",
                "create the first console user with: buurtlijn admin add-user --name NAME "
                "--role coordinator --data-dir " +
                    app.config.store.data_dir + " (the password is read from stdin)"}});
  }
  return wiring;
}

Response handle_admin(App& app, const Request& request, const std::string& client) {
  if (!app.admin) {
    return json_error(http::status::service_unavailable, "unavailable",
                      "the console is not available", request.version());
  }
  admin::ConsoleRequest in;
  in.method = std::string(request.method_string());
  if (in.method == "HEAD") in.method = "GET";
  in.target = std::string(request.target());
  in.cookie = std::string(request[http::field::cookie]);
  in.content_type = std::string(request[http::field::content_type]);
  in.body = request.body();
  in.csrf_header = std::string(request["X-CSRF-Token"]);
  in.origin = std::string(request[http::field::origin]);
  in.host = std::string(request[http::field::host]);
  in.accept_language = std::string(request[http::field::accept_language]);
  in.peer = client;
  // http_session replaced this header with its own reading: "https" only when a trusted
  // proxy said so (server.trusted_proxies).
  in.secure = request["X-Forwarded-Proto"] == "https";
  const admin::ConsoleResponse out = app.admin->console->handle(in, now_millis());
  Response response = text_response(static_cast<http::status>(out.status), out.body,
                                    out.content_type, request.version());
  for (const auto& [name, value] : out.headers) response.insert(name, value);
  // The usual headers, except that the console's own forms must carry their Origin
  // (the console refuses cross-site posts): same-origin instead of no-referrer.
  add_security_headers(response);
  response.set("Referrer-Policy", "same-origin");
  return response;
}

namespace {
// Reads one line without echo when stdin is a terminal.
std::string read_password(std::istream& in, std::ostream& out) {
  const bool terminal = &in == &std::cin && isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal) {
    out << "Password: " << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string password;
  std::getline(in, password);
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    out << "\n";
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}
}  // namespace

int admin_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                  std::ostream& err) {
  namespace po = boost::program_options;
  constexpr const char* kUsage =
      "Usage: buurtlijn admin add-user --name NAME --role ROLE [--team exploitation]\n"
      "                              [--config FILE] [--data-dir DIR]\n"
      "Roles: buurtmaker (texts, inbox), enforcement (cases), coordinator (everything).\n"
      "The password (12 characters or more) is read from stdin, never from the command line.\n";
  if (args.empty() || args[0] != "add-user") {
    (args.empty() || args[0] == "--help" ? out : err) << kUsage;
    return args.empty() || args[0] != "--help" ? 2 : 0;
  }
  po::options_description options("Options of 'buurtlijn admin add-user'");
  options.add_options()("help,h", "show this help")(
      "name", po::value<std::string>()->value_name("NAME"), "user name for logging in")(
      "role", po::value<std::string>()->value_name("ROLE"),
      "buurtmaker, enforcement or coordinator")(
      "team", po::value<std::string>()->value_name("TEAM")->default_value(""),
      "exploitation: the restricted team that sees its own cases only")(
      "config", po::value<std::string>()->value_name("FILE"), "YAML configuration file")(
      "data-dir", po::value<std::string>()->value_name("DIR"), "data directory (default ./var)");
  po::variables_map values;
  try {
    po::store(po::command_line_parser(std::vector<std::string>(args.begin() + 1, args.end()))
                  .options(options)
                  .run(),
              values);
    po::notify(values);
  } catch (const po::error& error) {
    err << "buurtlijn admin add-user: " << error.what() << "\n\n" << kUsage;
    return 2;
  }
  if (values.count("help") != 0U) {
    out << kUsage << "\n" << options;
    return 0;
  }
  const std::string name = values.count("name") != 0U ? values["name"].as<std::string>() : "";
  const std::string role = values.count("role") != 0U ? values["role"].as<std::string>() : "";
  const std::string team = values["team"].as<std::string>();
  if (name.empty() || name.size() > 64 || name.find_first_of(" \t\r\n") != std::string::npos) {
    err << "buurtlijn admin add-user: --name must be one word of at most 64 characters\n";
    return 2;
  }
  if (!admin::is_role(role)) {
    err << "buurtlijn admin add-user: --role must be buurtmaker, enforcement or coordinator\n";
    return 2;
  }
  if (!team.empty() && team != "exploitation") {
    err << "buurtlijn admin add-user: --team must be exploitation (or left out)\n";
    return 2;
  }
  Config config;
  if (values.count("config") != 0U) {
    auto loaded = load_config_file(values["config"].as<std::string>());
    if (!loaded) {
      err << "buurtlijn: configuration refused: " << loaded.error().describe() << "\n";
      return 2;
    }
    config = *loaded;
  }
  if (values.count("data-dir") != 0U) config.store.data_dir = values["data-dir"].as<std::string>();

  const std::string password = read_password(in, out);
  if (const std::string problem = admin::password_problem(password); !problem.empty()) {
    err << "buurtlijn admin add-user: " << problem << "\n";
    return 2;
  }
  auto hash = admin::hash_password(password);
  if (!hash) {
    err << "buurtlijn admin add-user: " << hash.error() << "\n";
    return 1;
  }
  std::error_code dir_error;
  std::filesystem::create_directories(config.store.data_dir, dir_error);
  store::SqliteOptions store_options;
  store_options.path = (std::filesystem::path(config.store.data_dir) / "buurtlijn.db").string();
  auto opened = store::open_sqlite_store(std::move(store_options));
  if (!opened) {
    err << "buurtlijn admin add-user: " << opened.error().message << "\n";
    return 1;
  }
  auto admin_store = store::admin_store_for(**opened);
  if (!admin_store) {
    err << "buurtlijn admin add-user: " << admin_store.error().message << "\n";
    return 1;
  }
  store::AdminUser user;
  user.name = name;
  user.role = role;
  user.team = team;
  user.password_hash = *hash;
  auto added = (*admin_store)->add_user(user, store::Actor{0, "cli"}, now_millis());
  (*opened)->close();
  if (!added) {
    err << "buurtlijn admin add-user: "
        << (added.error().code == store::Error::Code::duplicate ? "a user with that name exists"
                                                                : added.error().message)
        << "\n";
    return 1;
  }
  out << "buurtlijn: user '" << name << "' (" << role << ") added; log in at /admin/\n";
  return 0;
}

namespace {

struct OpenedData {
  std::unique_ptr<store::Store> store;  // null when the data directory has no database
  std::unique_ptr<store::AdminStore> admin;
};

// The console's edits of the data directory, when it has a database; none otherwise.
tl::expected<OpenedData, std::string> open_existing(const std::string& data_dir) {
  OpenedData data;
  const auto path = std::filesystem::path(data_dir) / "buurtlijn.db";
  if (!std::filesystem::exists(path)) return data;
  store::SqliteOptions options;
  options.path = path.string();
  auto opened = store::open_sqlite_store(std::move(options));
  if (!opened) return tl::unexpected(opened.error().message);
  data.store = std::move(*opened);
  auto admin = store::admin_store_for(*data.store);
  if (!admin) return tl::unexpected(admin.error().message);
  data.admin = std::move(*admin);
  return data;
}

}  // namespace

int translations_command(const std::vector<std::string>& args, std::ostream& out,
                         std::ostream& err) {
  namespace po = boost::program_options;
  constexpr const char* kUsage =
      "Usage: buurtlijn content export --lang CODE [--data-dir DIR] [--locales DIR] > CODE.po\n"
      "       buurtlijn content import FILE.po [--apply] [--data-dir DIR] [--locales DIR]\n"
      "Export writes gettext PO (msgctxt = text key, msgid = English, msgstr = the language).\n"
      "Import shows what would change and checks it; --apply stores the changes as edits,\n"
      "used from the next start of the server on that data directory.\n";
  const bool exporting = args[0] == "export";
  po::options_description options("Options");
  options.add_options()("help,h", "show this help")(
      "lang", po::value<std::string>()->value_name("CODE"), "language to export")(
      "file", po::value<std::string>()->value_name("FILE"), "PO file to import")(
      "apply", "store the imported texts")(
      "data-dir", po::value<std::string>()->value_name("DIR")->default_value("./var"),
      "data directory whose console edits count (none when it has no database)")(
      "locales", po::value<std::string>()->value_name("DIR")->default_value(""),
      "catalogs to start from (default: the built-in copy of locales/)");
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map values;
  try {
    po::store(po::command_line_parser(std::vector<std::string>(args.begin() + 1, args.end()))
                  .options(options)
                  .positional(positional)
                  .run(),
              values);
    po::notify(values);
  } catch (const po::error& error) {
    err << "buurtlijn content " << args[0] << ": " << error.what() << "\n\n" << kUsage;
    return 2;
  }
  if (values.count("help") != 0U) {
    out << kUsage << "\n" << options;
    return 0;
  }
  auto files = read_content_files(values["locales"].as<std::string>());
  if (!files) {
    err << "buurtlijn content: " << files.error() << "\n";
    return 2;
  }
  auto editor = admin::ContentEditor::create(*files);
  if (!editor) {
    err << "buurtlijn content: " << editor.error() << "\n";
    return 2;
  }
  auto data = open_existing(values["data-dir"].as<std::string>());
  if (!data) {
    err << "buurtlijn content: " << data.error() << "\n";
    return 1;
  }
  std::vector<store::ContentOverride> overrides;
  std::set<std::string, std::less<>> flagged;
  if (data->admin) {
    auto stored = data->admin->content_overrides();
    auto flags = data->admin->review_flags();
    if (!stored || !flags) {
      err << "buurtlijn content: cannot read the console's edits\n";
      return 1;
    }
    overrides = *stored;
    for (const auto& flag : *flags) flagged.insert(flag.language + ":" + flag.key);
  }
  auto content = admin::ContentEditor::build(editor->apply(overrides));
  if (!content) {
    err << "buurtlijn content: " << content.error() << "\n";
    return 1;
  }

  if (exporting) {
    const std::string language = values.count("lang") != 0U ? values["lang"].as<std::string>() : "";
    if (!(*content)->has_language(language)) {
      err << "buurtlijn content export: --lang must be one of the 16 language codes\n";
      return 2;
    }
    std::set<std::string, std::less<>> review;
    for (const std::string& entry : flagged) {
      if (entry.rfind(language + ":", 0) == 0) review.insert(entry.substr(language.size() + 1));
    }
    out << admin::export_po(**content, language, review);
    return 0;
  }

  if (values.count("file") == 0U) {
    err << kUsage;
    return 2;
  }
  std::ifstream in(values["file"].as<std::string>(), std::ios::binary);
  if (!in) {
    err << "buurtlijn content import: cannot read " << values["file"].as<std::string>() << "\n";
    return 2;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto catalog = admin::parse_po(text.str());
  if (!catalog) {
    err << "buurtlijn content import: " << catalog.error() << "\n";
    return 1;
  }
  if (!(*content)->has_language(catalog->language)) {
    err << "buurtlijn content import: unknown language '" << catalog->language << "'\n";
    return 1;
  }
  const auto changes = admin::po_changes(**content, *catalog);
  for (const admin::PoChange& change : changes) {
    out << catalog->language << ":" << change.key << "\n- " << change.before << "\n+ "
        << change.after << "\n";
  }
  for (const admin::PoChange& change : changes) {
    std::erase_if(overrides, [&](const store::ContentOverride& entry) {
      return entry.language == catalog->language && entry.key == change.key;
    });
    overrides.push_back({catalog->language, change.key, change.after});
  }
  const auto problems = editor->new_problems(editor->apply(overrides));
  for (const std::string& problem : problems) err << problem << "\n";
  if (!problems.empty()) {
    err << "buurtlijn content import: refused, " << problems.size() << " problem(s)\n";
    return 1;
  }
  out << changes.size() << " change(s)"
      << (values.count("apply") != 0U ? "" : "; nothing stored (use --apply)") << "\n";
  if (values.count("apply") == 0U || changes.empty()) return 0;
  if (!data->admin) {
    err << "buurtlijn content import: no database in the data directory\n";
    return 1;
  }
  for (const admin::PoChange& change : changes) {
    store::TextEdit edit;
    edit.language = catalog->language;
    edit.key = change.key;
    edit.text = change.after;
    edit.previous = change.before;
    edit.kind = "import";
    edit.clear_override = change.after == editor->builtin_text(edit.language, edit.key);
    if (edit.language == "en") {
      for (const auto& language : (*content)->languages()) {
        if (language.code != "en" && language.code != "nl")
          edit.flag_for_review.push_back(language.code);
      }
    }
    if (auto saved = data->admin->save_text(edit, store::Actor{0, "cli"}, now_millis()); !saved) {
      err << "buurtlijn content import: " << saved.error().message << "\n";
      return 1;
    }
  }
  data->store->close();
  out << "stored; a running server uses them from its next start\n";
  return 0;
}

}  // namespace buurtlijn::gateway
