#include "cli_runner.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace buurtlijn::testing {
namespace {
std::string read_all(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}
}  // namespace

CommandResult run_buurtlijn(const TempDir& dir, std::vector<std::string> args) {
  static std::atomic<int> counter{0};
  const std::string stem = "cli-" + std::to_string(counter++);
  const auto out_path = dir.path() / (stem + ".out");
  const auto err_path = dir.path() / (stem + ".err");
  std::vector<std::string> all{buurtlijn_binary()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : all) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start " + all[0]);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) throw std::runtime_error("waitpid failed");
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_all(out_path);
  result.err = read_all(err_path);
  return result;
}

namespace {
std::string areas_source_dir() {
  const char* dir = std::getenv("BUURTLIJN_SOURCE_DIR");
  if (dir == nullptr) throw std::runtime_error("BUURTLIJN_SOURCE_DIR is not set");
  return dir;
}
}  // namespace

CommandResult import_illustrative_areas(const TempDir& dir, const std::string& data_dir) {
  return run_buurtlijn(
      dir, {"areas", "import", "--geojson",
            areas_source_dir() + "/data/areas/deventer-illustrative.geojson", "--postcodes",
            areas_source_dir() + "/data/areas/deventer-illustrative-postcodes.csv", "--data-dir",
            data_dir});
}

}  // namespace buurtlijn::testing
