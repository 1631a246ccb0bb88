// See gdpr_commands.hpp.
#include "gateway/gdpr_commands.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <iostream>
#include <memory>

#include "connectors/media/image.hpp"
#include "gateway/config.hpp"
#include "gateway/photo_files.hpp"
#include "gateway/pseudonym.hpp"
#include "store/case_store.hpp"
#include "store/gdpr_store.hpp"

namespace buurtlijn::gateway {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    "Usage: buurtlijn gdpr export --subject PSEUDONYM [--data-dir DIR] [--config FILE]\n"
    "       buurtlijn gdpr erase --subject PSEUDONYM [--data-dir DIR] [--config FILE]\n"
    "       buurtlijn gdpr find --channel CHANNEL --address ADDRESS [--data-dir DIR]\n"
    "\n"
    "export  print everything stored about the subject as one JSON document\n"
    "erase   erase the subject's messages, outbox items, contact address, subscriber\n"
    "        record, dialog state and handover; their reports stay, anonymised\n"
    "find    the pseudonym of a phone number or chat id, written as the provider sends\n"
    "        it (WhatsApp: digits without +); server key: <data-dir>/keys/pseudonym.key\n"
    "        or BUURTLIJN_PSEUDONYM_KEY\n"
    "export and erase are written to the audit log (actor \"cli\").\n";

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string option(const po::variables_map& values, const char* name) {
  return values.count(name) != 0U ? values[name].as<std::string>() : std::string();
}

tl::expected<Config, std::string> resolve(const po::variables_map& values) {
  tl::expected<Config, ConfigError> config = Config{};
  if (values.count("config") != 0U) config = load_config_file(option(values, "config"));
  if (!config) return tl::unexpected("configuration refused: " + config.error().describe());
  if (values.count("data-dir") != 0U) config->store.data_dir = option(values, "data-dir");
  if (auto secrets = load_secrets(*config, process_environment()); !secrets) {
    return tl::unexpected("configuration refused: " + secrets.error().describe());
  }
  return std::move(*config);
}

// The stored photos of the exported reports: that they exist, their type and size, never
// their bytes (reports.photo_ref "photo:<id>", the file in <data_dir>/photos/).
boost::json::array stored_photos(const boost::json::object& tables,
                                 const std::filesystem::path& dir) {
  boost::json::array photos;
  const auto* reports = tables.if_contains("reports");
  if (reports == nullptr || !reports->is_array()) return photos;
  for (const auto& row : reports->as_array()) {
    if (!row.is_object()) continue;
    const auto* ref = row.as_object().if_contains("photo_ref");
    const auto* number = row.as_object().if_contains("public_number");
    if (ref == nullptr || !ref->is_string()) continue;
    const auto id = stored_photo_id(ref->as_string());
    if (!id) continue;
    boost::json::object photo{{"report", number != nullptr ? *number : nullptr}};
    if (const auto bytes = read_photo(dir, *id)) {
      const auto type = connectors::media::sniff(*bytes);
      photo["type"] = type ? connectors::media::mime_type(*type) : "unknown";
      photo["bytes"] = static_cast<std::int64_t>(bytes->size());
    } else {
      photo["type"] = "missing";
    }
    photos.push_back(std::move(photo));
  }
  return photos;
}

boost::json::value json_of(const store::GdprValue& value) {
  if (const auto* number = std::get_if<std::int64_t>(&value)) return *number;
  if (const auto* text = std::get_if<std::string>(&value)) return boost::json::string(*text);
  return nullptr;
}

template <class T, class Start>
store::Result<T> wait(Start start) {
  auto promise = std::make_shared<std::promise<store::Result<T>>>();
  auto future = promise->get_future();
  start([promise](store::Result<T> result) { promise->set_value(std::move(result)); });
  return future.get();
}

int run(const std::string& verb, const po::variables_map& values, std::ostream& out) {
  auto config = resolve(values);
  if (!config) {
    std::cerr << "buurtlijn gdpr " << verb << ": " << config.error() << "\n";
    return 2;
  }
  if (verb == "find") {
    const std::string channel = option(values, "channel");
    const std::string address = option(values, "address");
    if (channel.empty() || address.empty()) {
      std::cerr << "buurtlijn gdpr find: --channel and --address are required\n\n" << kUsage;
      return 2;
    }
    // The key must exist already: a new key would give a pseudonym nobody has.
    const auto key_file = std::filesystem::path(config->store.data_dir) / "keys" / "pseudonym.key";
    if (config->secrets.pseudonym_key.empty() && !std::filesystem::exists(key_file)) {
      std::cerr << "buurtlijn gdpr find: refused: no pseudonym key in BUURTLIJN_PSEUDONYM_KEY or "
                << key_file.string() << "\n";
      return 1;
    }
    auto key = load_or_create_pseudonym_key(config->secrets.pseudonym_key, config->store.data_dir);
    if (!key) {
      std::cerr << "buurtlijn gdpr find: refused: " << key.error() << "\n";
      return 1;
    }
    out << Pseudonymizer(*key).pseudonym(channel, address) << "\n";
    return 0;
  }
  const std::string subject = option(values, "subject");
  if (subject.empty()) {
    std::cerr << "buurtlijn gdpr " << verb << ": --subject is required\n\n" << kUsage;
    return 2;
  }
  const auto db_file = std::filesystem::path(config->store.data_dir) / "buurtlijn.db";
  if (!std::filesystem::exists(db_file)) {
    std::cerr << "buurtlijn gdpr " << verb << ": refused: no database at " << db_file.string()
              << "\n";
    return 1;
  }
  store::SqliteOptions options;
  options.path = db_file.string();
  auto opened = store::open_sqlite_store(std::move(options));
  if (!opened) {
    std::cerr << "buurtlijn gdpr " << verb
              << ": cannot open the database: " << opened.error().message << "\n";
    return 1;
  }
  store::Store& db = **opened;
  const store::GdprActor actor{"cli"};
  const auto now = now_ms();
  boost::json::object document{{"subject", subject}};
  bool found = false;
  if (verb == "export") {
    auto exported = wait<store::GdprExport>(
        [&](auto done) { store::gdpr_export(db, subject, actor, now, std::move(done)); });
    if (!exported) {
      std::cerr << "buurtlijn gdpr export: failed: " << exported.error().message << "\n";
      return 1;
    }
    found = exported->found;
    document["found"] = found;
    boost::json::object tables;
    for (const auto& table : exported->tables) {
      boost::json::array rows;
      for (const auto& row : table.rows) {
        boost::json::object fields;
        for (const auto& [column, value] : row) fields[column] = json_of(value);
        rows.push_back(std::move(fields));
      }
      tables[table.name] = std::move(rows);
    }
    document["photos"] = stored_photos(tables, photos_dir(config->store.data_dir));
    document["data"] = std::move(tables);
  } else {
    auto erased = wait<store::GdprErasure>(
        [&](auto done) { store::gdpr_erase(db, subject, actor, now, std::move(done)); });
    if (!erased) {
      std::cerr << "buurtlijn gdpr erase: failed (nothing erased): " << erased.error().message
                << "\n";
      return 1;
    }
    found = erased->found;
    document["found"] = found;
    document["erased"] = {{"messages", erased->messages},
                          {"outbox_items", erased->outbox_items},
                          {"contact_addresses", erased->contact_addresses},
                          {"subscribers", erased->subscribers},
                          {"subscription_events", erased->subscription_events},
                          {"handovers", erased->handovers},
                          {"conversations", erased->conversations},
                          {"reports_anonymised", erased->reports_anonymised}};
    std::int64_t photos = 0;
    for (const std::string& id : erased->photo_ids) {
      if (delete_photo(photos_dir(config->store.data_dir), id)) ++photos;
    }
    document["erased"].as_object()["photos"] = photos;
  }
  db.close();
  out << boost::json::serialize(document) << "\n";
  if (!found) {
    std::cerr << "buurtlijn gdpr " << verb << ": no subject with that pseudonym\n";
    return 1;
  }
  return 0;
}

}  // namespace

int gdpr_command(const std::vector<std::string>& args, std::ostream& out) {
  if (args.empty() || (args[0] != "export" && args[0] != "erase" && args[0] != "find")) {
    std::cerr << kUsage;
    return 2;
  }
  po::options_description options("Options of 'buurtlijn gdpr'");
  options.add_options()("help,h", "show this help")(
      "subject", po::value<std::string>()->value_name("PSEUDONYM"), "the subject (export, erase)")(
      "channel", po::value<std::string>()->value_name("CHANNEL"),
      "whatsapp, telegram, sms ... (find)")(
      "address", po::value<std::string>()->value_name("ADDRESS"), "phone number or chat id (find)")(
      "config", po::value<std::string>()->value_name("FILE"), "YAML configuration file")(
      "data-dir", po::value<std::string>()->value_name("DIR"),
      "directory of the SQLite file and keys (default ./var)");
  po::variables_map values;
  try {
    po::store(po::command_line_parser(std::vector<std::string>(args.begin() + 1, args.end()))
                  .options(options)
                  .run(),
              values);
    po::notify(values);
  } catch (const po::error& error) {
    std::cerr << "buurtlijn gdpr " << args[0] << ": " << error.what() << "\n\n" << kUsage;
    return 2;
  }
  if (values.count("help") != 0U) {
    out << kUsage << "\n" << options;
    return 0;
  }
  return run(args[0], values, out);
}

}  // namespace buurtlijn::gateway
