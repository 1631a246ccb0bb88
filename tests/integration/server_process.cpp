// See server_process.hpp.
#include "server_process.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <random>
#include <stdexcept>

extern char** environ;

namespace buurtlijn::testing {

std::string buurtlijn_binary() {
  const char* path = std::getenv("BUURTLIJN_BIN");
  if (path == nullptr) throw std::runtime_error("BUURTLIJN_BIN is not set");
  return path;
}

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() /
          ("buurtlijn-it-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ServerProcess::ServerProcess(const std::filesystem::path& data_dir,
                             std::vector<std::string> extra_args,
                             std::map<std::string, std::string> environment) {
  std::vector<std::string> args = {buurtlijn_binary(), "serve", "--data-dir", data_dir.string()};
  // A free port unless the test needs a known one (Kannel's callback URL names it).
  if (std::find(extra_args.begin(), extra_args.end(), "--listen") == extra_args.end()) {
    args.insert(args.end(), {"--listen", "127.0.0.1:0"});
  }
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    if (environment.count(text.substr(0, text.find('='))) == 0) env_entries.push_back(text);
  }
  for (const auto& [name, value] : environment) env_entries.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& entry : env_entries) envp.push_back(entry.data());
  envp.push_back(nullptr);

  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawned != 0) throw std::runtime_error("cannot start " + args[0]);
  reader_ = std::thread([this, fd = pipe_fds[0]] { read_output(fd); });

  std::unique_lock lock(mutex_);
  const bool ready =
      changed_.wait_for(lock, std::chrono::seconds(60), [this] { return port_ != 0 || exited_; });
  if (!ready || port_ == 0) {
    lock.unlock();
    stop(SIGKILL);
    throw std::runtime_error("buurtlijn did not start listening");
  }
}

void ServerProcess::read_output(int fd) {
  std::string pending;
  char chunk[4096];
  for (;;) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got <= 0) break;
    pending.append(chunk, static_cast<std::size_t>(got));
    for (auto newline = pending.find('\n'); newline != std::string::npos;
         newline = pending.find('\n')) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      std::uint16_t port = 0;
      if (line.find("\"event\":\"listening\"") != std::string::npos) {
        const auto parsed = boost::json::parse(line);
        port = static_cast<std::uint16_t>(parsed.at("port").to_number<int>());
      }
      const std::lock_guard lock(mutex_);
      if (port != 0) port_ = port;
      lines_.push_back(std::move(line));
      changed_.notify_all();
    }
  }
  ::close(fd);
  const std::lock_guard lock(mutex_);
  exited_ = true;
  changed_.notify_all();
}

int ServerProcess::stop(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

ServerProcess::~ServerProcess() {
  stop(SIGKILL);
}

std::vector<std::string> ServerProcess::log_lines() const {
  const std::lock_guard lock(mutex_);
  return lines_;
}

bool ServerProcess::wait_for_log(const std::string& needle,
                                 std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  const auto found = [&] {
    for (const std::string& line : lines_) {
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  };
  changed_.wait_for(lock, timeout, [&] { return found() || exited_; });
  return found();
}

}  // namespace buurtlijn::testing
