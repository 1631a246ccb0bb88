// Starts the real `buurtlijn serve` as a child process on a free loopback port with its
// own data directory, collects its JSON log lines, and stops it (SIGTERM or SIGKILL).
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace buurtlijn::testing {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class ServerProcess {
 public:
  // Starts `buurtlijn serve --data-dir DIR --listen 127.0.0.1:0 ARGS...` (no --listen of its
  // own when ARGS has one) and waits for
  // its "listening" log line (throws if it does not come).
  // `environment` is added to (and overrides) the test's own environment for the child.
  explicit ServerProcess(const std::filesystem::path& data_dir,
                         std::vector<std::string> extra_args = {},
                         std::map<std::string, std::string> environment = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends the signal and waits for the exit; returns the exit code (128+signal if killed).
  int stop(int signal);
  std::vector<std::string> log_lines() const;
  // Waits until a log line contains `needle`; false after the timeout.
  bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) const;

 private:
  void read_output(int fd);

  pid_t pid_ = -1;
  std::uint16_t port_ = 0;
  std::thread reader_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<std::string> lines_;
  bool exited_ = false;
};

// The path of the built executable, from BUURTLIJN_BIN.
std::string buurtlijn_binary();

}  // namespace buurtlijn::testing
