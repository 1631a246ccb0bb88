// See cli.hpp.
#include "gateway/cli.hpp"

#include <boost/program_options.hpp>
#include <iostream>

#include "gateway/admin_console.hpp"
#include "gateway/api_keys.hpp"
#include "gateway/case_commands.hpp"
#include "gateway/content_commands.hpp"
#include "gateway/gdpr_commands.hpp"
#include "gateway/server.hpp"

namespace buurtlijn::gateway {

namespace po = boost::program_options;

namespace {

constexpr const char* kUsage =
    "Usage: buurtlijn <command> [options]\n"
    "\n"
    "Commands:\n"
    "  serve     run the gateway: web chat, webhooks, admin console, outbox\n"
    "  classify  language and topic of each message on stdin, as JSON lines\n"
    "  content check\n"
    "            check the dialog tree and the 16 catalogs; print their coverage\n"
    "  api-key create --name N | list | revoke --name N\n"
    "            keys of the notification API (a new key is printed once)\n"
    "  content export --lang L | content import FILE.po [--apply]\n"
    "            translations as gettext PO for translators, and back\n"
    "  admin add-user --name N --role R\n"
    "            create a console user (password read from stdin)\n"
    "  areas import\n"
    "            check and install wijk/buurt polygons (GeoJSON) and a postcode table\n"
    "  cases     report, move, due, show, stats, status: nuisance reports and cases\n"
    "  gdpr export|erase --subject P | find --channel C --address A\n"
    "            a person's data: export as JSON, erase (audited), find a pseudonym\n"
    "\n"
    "Run 'buurtlijn <command> --help' for the options of a command.\n"
    "Secrets come from the environment (BUURTLIJN_*), never from the config file.\n";

// Options every data command shares with `serve`.
po::options_description data_options() {
  po::options_description options("Data options");
  options.add_options()("config", po::value<std::string>()->value_name("FILE"),
                        "YAML configuration file (see buurtlijn.example.yaml)")(
      "data-dir", po::value<std::string>()->value_name("DIR"),
      "directory of the SQLite file, attachments and keys (default ./var)");
  return options;
}

// Defaults < config file < command line; then the secrets from the environment.
tl::expected<Config, ConfigError> resolve_config(const po::variables_map& values) {
  tl::expected<Config, ConfigError> config = Config{};
  if (values.count("config") != 0U) config = load_config_file(values["config"].as<std::string>());
  if (!config) return config;
  if (values.count("data-dir") != 0U) {
    const std::string dir = values["data-dir"].as<std::string>();
    if (dir.empty()) return tl::unexpected(ConfigError{"--data-dir", "must not be empty"});
    config->store.data_dir = dir;
  }
  if (values.count("listen") != 0U) {
    auto applied = apply_listen(config->server, values["listen"].as<std::string>());
    if (!applied) return tl::unexpected(ConfigError{"--listen", applied.error().reason});
  }
  if (auto secrets = load_secrets(*config, process_environment()); !secrets) {
    return tl::unexpected(secrets.error());
  }
  return config;
}

int serve(const std::vector<std::string>& args) {
  po::options_description options("Options of 'buurtlijn serve'");
  options.add_options()("help,h", "show this help")(
      "listen", po::value<std::string>()->value_name("HOST:PORT"),
      "address to listen on (default 127.0.0.1:8080; port 0 picks a free one)");
  options.add(data_options());
  po::variables_map values;
  try {
    po::store(po::command_line_parser(args).options(options).run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    std::cerr << "buurtlijn serve: " << error.what() << "\n\n" << options;
    return 2;
  }
  if (values.count("help") != 0U) {
    std::cout << "Usage: buurtlijn serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR]\n\n"
              << options;
    return 0;
  }
  auto config = resolve_config(values);
  if (!config) {
    std::cerr << "buurtlijn: configuration refused: " << config.error().describe() << "\n";
    return 2;
  }
  return run_server(std::move(*config));
}

}  // namespace

int run_cli(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "buurtlijn 0.1.0\n";
    return 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "serve") return serve(rest);
  if (args[0] == "classify") return classify_command(rest, std::cin, std::cout);
  if (args[0] == "content") return content_command(rest, std::cout);
  if (args[0] == "api-key") return api_key_command(rest);
  if (args[0] == "admin") return admin_command(rest, std::cin, std::cout, std::cerr);
  if (args[0] == "areas") return areas_command(rest, std::cout);
  if (args[0] == "cases") return cases_command(rest, std::cout);
  if (args[0] == "gdpr") return gdpr_command(rest, std::cout);
  std::cerr << "buurtlijn: unknown command '" << args[0] << "'\n\n" << kUsage;
  return 2;
}

}  // namespace buurtlijn::gateway
