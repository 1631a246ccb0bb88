// See content_commands.hpp. The locales directory is read here (dialogs/ does no I/O);
// classification and checking are dialogs/' pure functions.
#include "gateway/content_commands.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dialogs/classify.hpp"
#include "dialogs/content_check.hpp"
#include "dialogs/notification_catalog.hpp"
#include "gateway/admin_console.hpp"
#include "gateway/config.hpp"
#include "gateway/content_holder.hpp"
#include "locales/embedded.hpp"
#include "locales/embedded_notifications.hpp"

namespace buurtlijn::gateway {

namespace po = boost::program_options;

namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

constexpr std::size_t kMaxLineBytes = std::size_t{64} * 1024;

// The catalog files of `dir`, or the copy built into the executable when it is empty.
tl::expected<Files, std::string> read_locale_files(const std::string& dir) {
  Files files;
  if (dir.empty()) {
    for (const auto& [name, text] : locales::embedded_files()) {
      files.emplace_back(std::string(name), std::string(text));
    }
    return files;
  }
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) return tl::unexpected("cannot read " + entry.path().string());
    files.emplace_back(entry.path().filename().string(), text.str());
  }
  if (error) return tl::unexpected("cannot read " + dir + ": " + error.message());
  std::sort(files.begin(), files.end());
  return files;
}

// Parses `args` against `options`; prints the error and returns false on a bad option.
bool parse_options(std::string_view command, const std::vector<std::string>& args,
                   const po::options_description& options, po::variables_map& values) {
  try {
    po::store(po::command_line_parser(args).options(options).run(), values);
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

// {"lang":"ro","topic":"brp","node":"brp_bring","confidence":0.91}: written by hand so
// that the confidence has two decimals (Boost.JSON would print 9.1E-1).
std::string result_line(const dialogs::Classification& c) {
  char confidence[16];
  std::snprintf(confidence, sizeof confidence, "%.2f", std::clamp(c.confidence, 0.0, 1.0));
  return "{\"lang\":" + boost::json::serialize(boost::json::value(c.language)) +
         ",\"topic\":" + boost::json::serialize(boost::json::value(c.topic)) + ",\"node\":" +
         (c.node.empty() ? std::string("null")
                         : boost::json::serialize(boost::json::value(c.node))) +
         ",\"confidence\":" + confidence + "}\n";
}

std::string error_line(std::size_t line, std::string_view error) {
  boost::json::object result;
  result["error"] = error;
  result["line"] = line;
  return boost::json::serialize(result) + "\n";
}

}  // namespace

int classify_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out) {
  po::options_description options("Options of 'buurtlijn classify'");
  options.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->value_name("FILE"),
      "YAML configuration file (its content.locales_dir is used)")(
      "data-dir", po::value<std::string>()->value_name("DIR"),
      "accepted like every data command's; classify stores nothing")(
      "locales", po::value<std::string>()->value_name("DIR"),
      "read the catalogs from DIR instead of the configuration or the built-in copy");
  po::variables_map values;
  if (!parse_options("classify", args, options, values)) return 2;
  if (values.count("help") != 0U) {
    std::cout
        << "Usage: buurtlijn classify [--config FILE] [--locales DIR] < messages\n"
           "One UTF-8 message per line in, one JSON object per line out:\n"
           "{\"lang\":\"ro\",\"topic\":\"brp\",\"node\":\"brp_bring\",\"confidence\":0.91}\n\n"
        << options;
    return 0;
  }
  std::string locales_dir = option(values, "locales");
  if (locales_dir.empty() && values.count("config") != 0U) {
    auto config = load_config_file(option(values, "config"));
    if (!config) {
      std::cerr << "buurtlijn: configuration refused: " << config.error().describe() << "\n";
      return 2;
    }
    locales_dir = config->content.locales_dir;
  }
  auto content = load_content(locales_dir);
  if (!content) {
    std::cerr << "buurtlijn classify: content refused:\n" << content.error();
    return 1;
  }

  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > kMaxLineBytes) {
      out << error_line(number, "line longer than " + std::to_string(kMaxLineBytes) + " bytes");
    } else if (!dialogs::is_valid_utf8(line)) {
      out << error_line(number, "not valid UTF-8");
    } else {
      out << result_line(dialogs::classify(line, **content));
    }
  }
  out.flush();
  return 0;
}

int content_command(const std::vector<std::string>& args, std::ostream& out) {
  if (!args.empty() && (args[0] == "export" || args[0] == "import")) {
    return translations_command(args, out, std::cerr);  // gateway/admin_console.hpp
  }
  if (args.empty() || args[0] != "check") {
    std::cerr << "Usage: buurtlijn content check [--locales DIR]\n";
    return 2;
  }
  po::options_description options("Options of 'buurtlijn content check'");
  options.add_options()("help,h", "show this help")(
      "locales", po::value<std::string>()->value_name("DIR"),
      "check the catalogs in DIR (default: the copy built into the executable)");
  po::variables_map values;
  if (!parse_options("content check", {args.begin() + 1, args.end()}, options, values)) return 2;
  if (values.count("help") != 0U) {
    std::cout << "Usage: buurtlijn content check [--locales DIR]\n"
                 "Checks tree.yaml, variables.yaml and every catalog; one line per problem\n"
                 "(file: node [language]: what), a coverage table, exit code 1 on problems.\n\n"
              << options;
    return 0;
  }
  auto files = read_locale_files(option(values, "locales"));
  if (!files) {
    std::cerr << "buurtlijn content check: " << files.error() << "\n";
    return 2;
  }
  dialogs::ContentCheck check = dialogs::check_content(*files);
  {
    // locales/notifications/: subscription keywords, confirmations, notification templates.
    const std::string dir = option(values, "locales");
    std::vector<std::pair<std::string, std::string>> notification_files;
    if (dir.empty()) {
      for (const auto& [name, text] : locales::embedded_notification_files()) {
        notification_files.emplace_back(std::string(name), std::string(text));
      }
    } else if (auto read = read_locale_files(dir + "/notifications"); read) {
      notification_files = std::move(*read);
    }
    auto notifications = dialogs::parse_notification_catalog(notification_files);
    if (!notifications) {
      for (dialogs::ContentProblem problem : notifications.error().problems) {
        problem.file = "notifications/" + problem.file;
        check.problems.push_back(std::move(problem));
      }
    }
  }
  for (const dialogs::ContentProblem& problem : check.problems) {
    out << dialogs::describe_problem(problem) << '\n';
  }
  out << (check.problems.empty() ? "" : "\n") << dialogs::coverage_table(check.coverage);
  out << (check.clean()
              ? "content check: clean\n"
              : "content check: " + std::to_string(check.problems.size()) + " problem(s)\n");
  out.flush();
  return check.clean() ? 0 : 1;
}

}  // namespace buurtlijn::gateway
