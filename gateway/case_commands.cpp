// See case_commands.hpp.
#include "gateway/case_commands.hpp"

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <random>

#include "cases/dashboard.hpp"
#include "gateway/case_runtime.hpp"
#include "gateway/forwarders.hpp"
#include "gateway/pseudonym.hpp"
#include "store/case_store.hpp"

namespace buurtlijn::gateway {
namespace {

namespace po = boost::program_options;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

po::options_description common_options(const std::string& title) {
  po::options_description options(title);
  options.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->value_name("FILE"), "YAML configuration file")(
      "data-dir", po::value<std::string>()->value_name("DIR"),
      "directory of the SQLite file and keys (default ./var)");
  return options;
}

bool parse(const std::string& command, const std::vector<std::string>& args,
           const po::options_description& options, po::variables_map& values,
           const po::positional_options_description* positional = nullptr) {
  try {
    po::command_line_parser parser(args);
    parser.options(options);
    if (positional != nullptr) parser.positional(*positional);
    po::store(parser.run(), values);
    po::notify(values);
    return true;
  } catch (const po::error& error) {
    std::cerr << "buurtlijn " << command << ": " << error.what() << "\n\n" << options;
    return false;
  }
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

tl::expected<std::unique_ptr<store::Store>, std::string> open_database(const Config& config) {
  std::error_code ignored;
  std::filesystem::create_directories(config.store.data_dir, ignored);
  store::SqliteOptions options;
  options.path = (std::filesystem::path(config.store.data_dir) / "buurtlijn.db").string();
  auto opened = store::open_sqlite_store(std::move(options));
  if (!opened) return tl::unexpected("cannot open the database: " + opened.error().message);
  return std::move(*opened);
}

template <class T, class Submit>
store::Result<T> wait(Submit submit) {
  std::promise<store::Result<T>> promise;
  auto future = promise.get_future();
  submit([&promise](store::Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

boost::json::object area_json(const store::AreaColumns& area) {
  return {{"wijk_code", area.wijk_code},
          {"wijk", area.wijk_name},
          {"buurt_code", area.buurt_code},
          {"buurt", area.buurt_name}};
}

int refused(const std::string& command, const std::string& reason) {
  std::cerr << "buurtlijn " << command << ": refused: " << reason << "\n";
  return 1;
}

// ---- areas import ----------------------------------------------------------------

int areas_import(const std::vector<std::string>& args, std::ostream& out) {
  auto options = common_options("Options of 'buurtlijn areas import'");
  options.add_options()("geojson", po::value<std::string>()->value_name("FILE"),
                        "wijk/buurt polygons: GeoJSON FeatureCollection in WGS84 (CBS names)")(
      "postcodes", po::value<std::string>()->value_name("FILE"),
      "CSV with postcode,wijkcode,buurtcode (PC4 or PC6)");
  po::variables_map values;
  if (!parse("areas import", args, options, values)) return 2;
  if (values.count("help") != 0U || values.count("geojson") == 0U) {
    std::cout << "Usage: buurtlijn areas import --geojson FILE [--postcodes FILE]\n\n" << options;
    return values.count("help") != 0U ? 0 : 2;
  }
  auto config = resolve(values);
  if (!config) return refused("areas import", config.error());
  const std::string geojson = option(values, "geojson");
  auto text = read_text_file(geojson, std::size_t{256} * 1024 * 1024);
  if (!text) return refused("areas import", text.error());
  auto map = cases::AreaMap::from_geojson(*text);
  if (!map) return refused("areas import", geojson + ": " + map.error());
  std::string postcode_text;
  if (values.count("postcodes") != 0U) {
    auto csv = read_text_file(option(values, "postcodes"), std::size_t{256} * 1024 * 1024);
    if (!csv) return refused("areas import", csv.error());
    if (auto added = map->add_postcodes(*csv); !added) {
      return refused("areas import", option(values, "postcodes") + ": " + added.error());
    }
    postcode_text = std::move(*csv);
  }
  // Written beside and renamed into place: a running server never reads half a file.
  const std::filesystem::path dir = std::filesystem::path(config->store.data_dir) / "areas";
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error)
    return refused("areas import", "cannot create " + dir.string() + ": " + error.message());
  const auto write = [&error](const std::filesystem::path& target, const std::string& data) {
    const std::filesystem::path temporary = target.string() + ".tmp";
    {
      std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
      file << data;
      if (!file.flush()) return false;
    }
    std::filesystem::rename(temporary, target, error);
    return !error;
  };
  if (!write(dir / "areas.geojson", *text))
    return refused("areas import", "cannot write areas.geojson");
  if (!postcode_text.empty() && !write(dir / "postcodes.csv", postcode_text)) {
    return refused("areas import", "cannot write postcodes.csv");
  }
  out << "imported " << map->wijk_count() << " wijken, " << map->buurt_count() << " buurten, "
      << map->postcode_count() << " postcodes into " << dir.string()
      << " (restart the server to use them)\n";
  return 0;
}

// The local hour (TZ) at `ms` since the epoch.
int local_hour_at(std::int64_t ms) {
  const auto seconds = static_cast<std::time_t>(ms / 1000);
  std::tm local{};
  localtime_r(&seconds, &local);
  return local.tm_hour;
}

// ---- cases report ----------------------------------------------------------------

int cases_report(const std::vector<std::string>& args, std::ostream& out) {
  auto options = common_options("Options of 'buurtlijn cases report'");
  options.add_options()("category", po::value<std::string>(), "category code")(
      "lat", po::value<double>(), "latitude (WGS84)")("lon", po::value<double>(), "longitude")(
      "address", po::value<std::string>(), "street and house number")(
      "postcode", po::value<std::string>(), "PC4 or PC6")("description", po::value<std::string>(),
                                                          "what is going on")(
      "photo", po::value<std::string>(), "a stored photo reference")(
      "language", po::value<std::string>()->default_value("nl"), "the reporter's language")(
      "reporter-channel", po::value<std::string>(), "whatsapp, telegram, kannel or webchat")(
      "reporter-address", po::value<std::string>(), "the reporter's number or chat id")(
      "updates", "send the reporter status updates");
  po::variables_map values;
  if (!parse("cases report", args, options, values)) return 2;
  if (values.count("help") != 0U) {
    std::cout << "Usage: buurtlijn cases report --category C (--lat N --lon N | --address A "
                 "[--postcode P] | --postcode P) [...]\n\n"
              << options;
    return 0;
  }
  auto config = resolve(values);
  if (!config) return refused("cases report", config.error());
  auto runtime = load_case_runtime(*config);
  if (!runtime) return refused("cases report", runtime.error());

  cases::ReportInput input;
  input.category = option(values, "category");
  if (values.count("lat") != 0U || values.count("lon") != 0U) {
    if (values.count("lat") == 0U || values.count("lon") == 0U) {
      return refused("cases report", "give both --lat and --lon");
    }
    input.location = cases::GeoPoint{values["lat"].as<double>(), values["lon"].as<double>()};
  }
  input.address = option(values, "address");
  input.postcode = option(values, "postcode");
  input.description = option(values, "description");
  input.photo_ref = option(values, "photo");
  input.language = option(values, "language");
  input.channel = "desk";
  input.source = "cli";
  input.at_ms = now_ms();
  input.local_hour = local_hour_at(input.at_ms);  // for routing rules with hours
  const std::string reporter_channel = option(values, "reporter-channel");
  const std::string reporter_address = option(values, "reporter-address");
  if (!reporter_channel.empty() || !reporter_address.empty()) {
    if (reporter_channel.empty() || reporter_address.empty()) {
      return refused("cases report", "give both --reporter-channel and --reporter-address");
    }
    auto key = load_or_create_pseudonym_key(config->secrets.pseudonym_key, config->store.data_dir);
    if (!key) return refused("cases report", key.error());
    input.subject_pseudonym = Pseudonymizer(*key).pseudonym(reporter_channel, reporter_address);
    input.contact_address = reporter_channel == "webchat" ? std::string() : reporter_address;
    input.channel = reporter_channel;
    input.wants_updates = values.count("updates") != 0U;
  }
  auto database = open_database(*config);
  if (!database) return refused("cases report", database.error());
  store::Store& db = **database;
  std::mt19937_64 random{std::random_device{}()};
  auto planned =
      cases::plan_report(input, (*runtime)->areas, (*runtime)->settings, db.cases(), random);
  if (!planned) return refused("cases report", planned.error().reason);
  attach_forwards(config->forwarding, planned->write);  // queued with the case, same write
  auto created = wait<store::ReportCreated>(
      [&](auto done) { db.cases().create_report(planned->write, std::move(done)); });
  if (!created) return refused("cases report", created.error().message);
  auto row = db.cases().find_case(created->case_id);
  boost::json::object result{{"report", created->public_number},
                             {"case", created->case_id},
                             {"joined_existing_case", created->joined_existing},
                             {"area", area_json(planned->write.area)},
                             {"area_source", planned->area_source}};
  if (row && *row) result["team"] = (*row)->team;
  if (!planned->note.empty()) result["note"] = planned->note;
  out << boost::json::serialize(result) << "\n";
  db.close();
  return 0;
}

// ---- cases move ------------------------------------------------------------------

int cases_move(const std::vector<std::string>& args, std::ostream& out) {
  auto options = common_options("Options of 'buurtlijn cases move'");
  options.add_options()("case", po::value<std::int64_t>(), "the case id")(
      "to", po::value<std::string>(), "the new state")("by", po::value<std::string>(),
                                                       "who moves it (name or role)")(
      "note", po::value<std::string>(), "a note for the history")(
      "date", po::value<std::string>(), "inspection date YYYY-MM-DD (planned inspections)")(
      "shift", po::value<std::string>(), "day, evening or night")(
      "inspector", po::value<std::vector<std::string>>(), "an inspector (give two)")(
      "finding", po::value<std::string>(), "violation, no_violation or no_access")(
      "deadline", po::value<std::string>(), "YYYY-MM-DD (response period, penalty term)")(
      "action", po::value<std::string>(), "clean_up, milieupas_letter or camera_check")(
      "outcome", po::value<std::string>(), "resolved, unfounded or referred (closing)");
  po::variables_map values;
  if (!parse("cases move", args, options, values)) return 2;
  if (values.count("help") != 0U || values.count("case") == 0U || values.count("to") == 0U) {
    std::cout << "Usage: buurtlijn cases move --case ID --to STATE --by NAME [--note TEXT] "
                 "[--date D --shift S --inspector A --inspector B] [--finding F] "
                 "[--deadline D] [--action A] [--outcome O]\n\n"
              << options;
    return values.count("help") != 0U ? 0 : 2;
  }
  auto config = resolve(values);
  if (!config) return refused("cases move", config.error());
  auto runtime = load_case_runtime(*config);
  if (!runtime) return refused("cases move", runtime.error());
  const auto to = cases::parse_state(option(values, "to"));
  if (!to) return refused("cases move", "unknown state '" + option(values, "to") + "'");
  cases::MoveInput input;
  input.case_id = values["case"].as<std::int64_t>();
  input.request.to = *to;
  input.request.by = option(values, "by");
  input.request.note = option(values, "note");
  input.request.data.inspection_date = option(values, "date");
  input.request.data.shift = option(values, "shift");
  if (values.count("inspector") != 0U) {
    input.request.data.inspectors = values["inspector"].as<std::vector<std::string>>();
  }
  input.request.data.finding = option(values, "finding");
  input.request.data.deadline = option(values, "deadline");
  input.request.data.action = option(values, "action");
  input.request.data.outcome = option(values, "outcome");
  input.at_ms = now_ms();
  auto database = open_database(*config);
  if (!database) return refused("cases move", database.error());
  store::Store& db = **database;
  auto planned = cases::plan_move(input, db.cases(), (*runtime)->texts, (*runtime)->render);
  if (!planned) return refused("cases move", planned.error().reason);
  auto moved =
      wait<store::CaseMoved>([&](auto done) { db.cases().move_case(*planned, std::move(done)); });
  if (!moved) return refused("cases move", moved.error().message);
  out << boost::json::serialize(boost::json::object{{"case", input.case_id},
                                                    {"from", planned->from_state},
                                                    {"to", planned->to_state},
                                                    {"event", moved->event_id},
                                                    {"reporter_updates", moved->outbox_ids.size()}})
      << "\n";
  db.close();
  return 0;
}

// ---- cases reroute ----------------------------------------------------------------

int cases_reroute(const std::vector<std::string>& args, std::ostream& out) {
  auto options = common_options("Options of 'buurtlijn cases reroute'");
  options.add_options()("case", po::value<std::int64_t>(), "the case id")(
      "category", po::value<std::string>(), "the corrected category (default: the case's own)")(
      "by", po::value<std::string>(), "who changes it (name or role)")(
      "note", po::value<std::string>(), "a note for the history");
  po::variables_map values;
  if (!parse("cases reroute", args, options, values)) return 2;
  if (values.count("help") != 0U || values.count("case") == 0U) {
    std::cout << "Usage: buurtlijn cases reroute --case ID [--category C] --by NAME [--note T]\n"
                 "Corrects a new or triaged case's category and routes it again by the\n"
                 "configured rules (team, service-level target); without --category it\n"
                 "re-evaluates the rules as they are configured now.\n\n"
              << options;
    return values.count("help") != 0U ? 0 : 2;
  }
  auto config = resolve(values);
  if (!config) return refused("cases reroute", config.error());
  cases::RerouteInput input;
  input.case_id = values["case"].as<std::int64_t>();
  input.category = option(values, "category");
  input.by = option(values, "by");
  input.note = option(values, "note");
  input.at_ms = now_ms();
  input.local_hour = local_hour_at(input.at_ms);  // for routing rules with hours
  auto database = open_database(*config);
  if (!database) return refused("cases reroute", database.error());
  store::Store& db = **database;
  auto planned = cases::plan_reroute(input, config->cases, db.cases());
  if (!planned) return refused("cases reroute", planned.error().reason);
  boost::json::object result{{"case", input.case_id}, {"changed", planned->has_value()}};
  if (*planned) {
    auto rerouted =
        wait<std::int64_t>([&](auto done) { db.cases().reroute_case(**planned, std::move(done)); });
    if (!rerouted) return refused("cases reroute", rerouted.error().message);
    result["category"] = (*planned)->category;
    result["team"] = (*planned)->team;
    result["target_on"] = (*planned)->target_on;
    result["event"] = *rerouted;
  }
  out << boost::json::serialize(result) << "\n";
  db.close();
  return 0;
}

// ---- cases due / show / stats / status ---------------------------------------------

int cases_due(const std::vector<std::string>& args, std::ostream& out) {
  auto options = common_options("Options of 'buurtlijn cases due'");
  options.add_options()("until", po::value<std::string>(), "YYYY-MM-DD (default today)");
  po::variables_map values;
  if (!parse("cases due", args, options, values)) return 2;
  if (values.count("help") != 0U) {
    std::cout << "Usage: buurtlijn cases due [--until YYYY-MM-DD]\n"
                 "Deadlines not yet met: one JSON object per line, earliest first.\n\n"
              << options;
    return 0;
  }
  const std::string until =
      values.count("until") != 0U ? option(values, "until") : cases::iso_date_of(now_ms());
  if (!cases::is_iso_date(until)) return refused("cases due", "--until must be YYYY-MM-DD");
  auto config = resolve(values);
  if (!config) return refused("cases due", config.error());
  auto database = open_database(*config);
  if (!database) return refused("cases due", database.error());
  auto due = (*database)->cases().due_deadlines(until);
  if (!due) return refused("cases due", due.error().message);
  for (const store::DeadlineRow& row : *due) {
    out << boost::json::serialize(boost::json::object{{"case", row.case_id},
                                                      {"kind", row.kind},
                                                      {"due_on", row.due_on},
                                                      {"state", row.case_state},
                                                      {"team", row.team},
                                                      {"area", area_json(row.area)}})
        << "\n";
  }
  (*database)->close();
  return 0;
}

int cases_show(const std::vector<std::string>& args, std::ostream& out) {
  auto options = common_options("Options of 'buurtlijn cases show'");
  options.add_options()("case", po::value<std::int64_t>(), "the case id");
  po::variables_map values;
  if (!parse("cases show", args, options, values)) return 2;
  if (values.count("help") != 0U || values.count("case") == 0U) {
    std::cout << "Usage: buurtlijn cases show --case ID\n\n" << options;
    return values.count("help") != 0U ? 0 : 2;
  }
  auto config = resolve(values);
  if (!config) return refused("cases show", config.error());
  auto database = open_database(*config);
  if (!database) return refused("cases show", database.error());
  const auto id = values["case"].as<std::int64_t>();
  auto row = (*database)->cases().find_case(id);
  if (!row) return refused("cases show", row.error().message);
  if (!*row) return refused("cases show", "there is no case " + std::to_string(id));
  auto history = (*database)->cases().case_history(id);
  if (!history) return refused("cases show", history.error().message);
  boost::json::array events;
  for (const store::CaseEventRow& event : *history) {
    boost::system::error_code ec;
    events.push_back(boost::json::object{{"from", event.from_state},
                                         {"to", event.to_state},
                                         {"by", event.actor},
                                         {"note", event.note},
                                         {"data", boost::json::parse(event.data_json, ec)},
                                         {"at", event.at}});
  }
  const store::CaseRow& c = **row;
  out << boost::json::serialize(boost::json::object{{"case", c.id},
                                                    {"category", c.category},
                                                    {"path", c.path},
                                                    {"state", c.state},
                                                    {"team", c.team},
                                                    {"target_on", c.target_on},
                                                    {"area", area_json(c.area)},
                                                    {"reports", c.report_count},
                                                    {"history", std::move(events)}})
      << "\n";
  (*database)->close();
  return 0;
}

int cases_stats(const std::vector<std::string>& args, std::ostream& out) {
  auto options = common_options("Options of 'buurtlijn cases stats'");
  options.add_options()("format", po::value<std::string>()->default_value("json"), "json or csv");
  po::variables_map values;
  if (!parse("cases stats", args, options, values)) return 2;
  if (values.count("help") != 0U) {
    std::cout << "Usage: buurtlijn cases stats [--format json|csv]\n\n" << options;
    return 0;
  }
  const std::string format = option(values, "format");
  if (format != "json" && format != "csv")
    return refused("cases stats", "--format must be json or csv");
  auto config = resolve(values);
  if (!config) return refused("cases stats", config.error());
  auto database = open_database(*config);
  if (!database) return refused("cases stats", database.error());
  auto rows = (*database)->cases().stats_rows();
  if (!rows) return refused("cases stats", rows.error().message);
  const cases::Dashboard dashboard = cases::build_dashboard(*rows);
  out << (format == "json" ? cases::dashboard_json(dashboard) + "\n"
                           : cases::dashboard_csv(dashboard));
  (*database)->close();
  return 0;
}

int cases_status(const std::vector<std::string>& args, std::ostream& out) {
  auto options = common_options("Options of 'buurtlijn cases status'");
  options.add_options()("number", po::value<std::int64_t>(), "the public report number")(
      "language", po::value<std::string>()->default_value("nl"), "the answer's language");
  po::positional_options_description positional;
  positional.add("number", 1);
  po::variables_map values;
  if (!parse("cases status", args, options, values, &positional)) return 2;
  if (values.count("help") != 0U || values.count("number") == 0U) {
    std::cout << "Usage: buurtlijn cases status NUMBER [--language xx]\n\n" << options;
    return values.count("help") != 0U ? 0 : 2;
  }
  auto config = resolve(values);
  if (!config) return refused("cases status", config.error());
  auto runtime = load_case_runtime(*config);
  if (!runtime) return refused("cases status", runtime.error());
  auto database = open_database(*config);
  if (!database) return refused("cases status", database.error());
  const auto number = values["number"].as<std::int64_t>();
  auto reply = cases::status_reply(number, option(values, "language"), (*database)->cases(),
                                   (*runtime)->texts);
  if (!reply) return refused("cases status", reply.error().reason);
  auto found = (*database)->cases().find_report(number);
  out << *reply << "\n";
  (*database)->close();
  return found && *found ? 0 : 1;
}

int cases_purge(const std::vector<std::string>& args, std::ostream& out) {
  auto options = common_options("Options of 'buurtlijn cases purge'");
  options.add_options()("older-than-days", po::value<int>()->default_value(365),
                        "clear reports of cases closed longer ago than this");
  po::variables_map values;
  if (!parse("cases purge", args, options, values)) return 2;
  if (values.count("help") != 0U) {
    std::cout << "Usage: buurtlijn cases purge [--older-than-days 365]\n"
                 "Retention: clears description, photo and reporter of reports whose case was\n"
                 "closed before then; the counts stay. Run it daily (cron, systemd timer).\n\n"
              << options;
    return 0;
  }
  const int days = values["older-than-days"].as<int>();
  if (days < 0) return refused("cases purge", "--older-than-days must not be negative");
  auto config = resolve(values);
  if (!config) return refused("cases purge", config.error());
  auto database = open_database(*config);
  if (!database) return refused("cases purge", database.error());
  const std::int64_t before = now_ms() - std::int64_t{days} * 86'400'000;
  auto purged = wait<std::int64_t>(
      [&](auto done) { (*database)->cases().purge_closed_reports(before, std::move(done)); });
  if (!purged) return refused("cases purge", purged.error().message);
  out << "cleared the personal data of " << *purged << " reports\n";
  (*database)->close();
  return 0;
}

constexpr const char* kCasesUsage =
    "Usage: buurtlijn cases <report|move|reroute|due|show|stats|status|purge> [options]\n"
    "  report   record a report (desk, tests); prints its public number and case\n"
    "  move     move a case to its next state (inspectors, officers)\n"
    "  reroute  correct a new case's category; route it again by the rules\n"
    "  due      re-inspections and penalty deadlines that are due\n"
    "  show     a case and its history\n"
    "  stats    dashboard figures as JSON or CSV (counts only)\n"
    "  status   the public status of a report number, in a language\n"
    "  purge    retention: clear personal data of reports closed long ago\n";

}  // namespace

int areas_command(const std::vector<std::string>& args, std::ostream& out) {
  if (!args.empty() && args[0] == "import") {
    return areas_import(std::vector<std::string>(args.begin() + 1, args.end()), out);
  }
  std::cerr << "Usage: buurtlijn areas import --geojson FILE [--postcodes FILE]\n";
  return 2;
}

int cases_command(const std::vector<std::string>& args, std::ostream& out) {
  if (args.empty()) {
    std::cerr << kCasesUsage;
    return 2;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "report") return cases_report(rest, out);
  if (args[0] == "move") return cases_move(rest, out);
  if (args[0] == "reroute") return cases_reroute(rest, out);
  if (args[0] == "due") return cases_due(rest, out);
  if (args[0] == "show") return cases_show(rest, out);
  if (args[0] == "stats") return cases_stats(rest, out);
  if (args[0] == "status") return cases_status(rest, out);
  if (args[0] == "purge") return cases_purge(rest, out);
  if (args[0] == "--help" || args[0] == "-h") {
    std::cout << kCasesUsage;
    return 0;
  }
  std::cerr << "buurtlijn cases: unknown command '" << args[0] << "'\n\n" << kCasesUsage;
  return 2;
}

}  // namespace buurtlijn::gateway
