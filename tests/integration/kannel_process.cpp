// See kannel_process.hpp.
#include "kannel_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cctype>
#include <fstream>
#include <stdexcept>

extern char** environ;

namespace buurtlijn::testing {

std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

namespace {
bool port_open(std::uint16_t port) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  boost::system::error_code error;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, error);
  return !error;
}

void wait_for_port(std::uint16_t port, const char* what) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!port_open(port)) {
    if (std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error(std::string(what) + " did not open its port");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::string url_encode(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.') {
      out.push_back(c);
    } else {
      out += '%';
      out += kDigits[u >> 4];
      out += kDigits[u & 0xf];
    }
  }
  return out;
}

// UTF-8 to UTF-16BE bytes (the fake SMSC's "ucs2" type).
std::string utf16be(const std::string& utf8) {
  std::string out;
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    std::uint32_t cp = 0;
    int extra = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 6) {
      cp = c & 0x1f;
      extra = 1;
    } else if ((c >> 4) == 14) {
      cp = c & 0x0f;
      extra = 2;
    } else {
      cp = c & 0x07;
      extra = 3;
    }
    for (int k = 1; k <= extra; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3f);
    i += static_cast<std::size_t>(extra) + 1;
    auto unit = [&out](std::uint32_t u) {
      out.push_back(static_cast<char>(u >> 8));
      out.push_back(static_cast<char>(u & 0xff));
    };
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(0xD800 + (cp >> 10));
      unit(0xDC00 + (cp & 0x3ff));
    } else {
      unit(cp);
    }
  }
  return out;
}
}  // namespace

KannelProcess::KannelProcess(const std::filesystem::path& dir, const std::string& webhook_base,
                             const std::string& secret)
    : dir_(dir) {
  const std::uint16_t admin_port = free_port();
  const std::uint16_t box_port = free_port();
  const std::uint16_t smsc_port = free_port();
  sendsms_port_ = free_port();
  const std::filesystem::path conf = dir_ / "kannel.conf";
  std::ofstream(conf) << "group = core\n"
                      << "admin-port = " << admin_port << "\n"
                      << "admin-password = admin-pw\n"
                      << "smsbox-port = " << box_port << "\n"
                      << "log-file = \"" << (dir_ / "bearerbox.log").string() << "\"\n"
                      << "log-level = 1\n"
                      << "box-allow-ip = \"127.0.0.1\"\n"
                      << "dlr-storage = internal\n\n"
                      << "group = smsc\nsmsc = fake\nsmsc-id = fake\n"
                      << "port = " << smsc_port << "\n"
                      << "connect-allow-ip = \"127.0.0.1\"\n\n"
                      << "group = smsbox\nbearerbox-host = 127.0.0.1\n"
                      << "bearerbox-port = " << box_port << "\n"
                      << "sendsms-port = " << sendsms_port_ << "\n"
                      << "log-file = \"" << (dir_ / "smsbox.log").string() << "\"\n"
                      << "log-level = 1\n\n"
                      << "group = sendsms-user\nusername = buurtlijn\npassword = sendsms-pw\n"
                      << "max-messages = 3\nconcatenation = true\n\n"
                      << "group = sms-service\nkeyword = default\ncatch-all = true\n"
                      << "max-messages = 0\n"
                      << "get-url = \"" << webhook_base << "/webhooks/kannel?secret=" << secret
                      << "&from=%p&to=%P&text=%a&coding=%c&charset=%C&ts=%T&id=%I\"\n";

  children_.push_back(spawn({"/usr/sbin/bearerbox", conf.string()}, dir_ / "bearerbox.out"));
  wait_for_port(smsc_port, "bearerbox");
  int to_fake[2];
  int from_fake[2];
  if (::pipe(to_fake) != 0 || ::pipe(from_fake) != 0) throw std::runtime_error("pipe failed");
  {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_fake[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_fake[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, from_fake[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&actions, to_fake[1]);
    posix_spawn_file_actions_addclose(&actions, from_fake[0]);
    std::vector<std::string> args = {"/usr/lib/kannel/test/fakesmsc",
                                     "-H",
                                     "127.0.0.1",
                                     "-r",
                                     std::to_string(smsc_port),
                                     "-i",
                                     "0.05",
                                     "-m",
                                     "1000"};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start fakesmsc");
    }
    posix_spawn_file_actions_destroy(&actions);
    children_.push_back(pid);
  }
  ::close(to_fake[0]);
  ::close(from_fake[1]);
  fake_stdin_ = to_fake[1];
  reader_ = std::thread([this, fd = from_fake[0]] { read_fake_output(fd); });
  smsbox_index_ = children_.size();
  children_.push_back(-1);
  start_smsbox();
}

void KannelProcess::start_smsbox() {
  children_[smsbox_index_] =
      spawn({"/usr/sbin/smsbox", (dir_ / "kannel.conf").string()}, dir_ / "smsbox.out");
  wait_for_port(sendsms_port_, "smsbox");
}

void KannelProcess::stop_smsbox() {
  const pid_t pid = children_[smsbox_index_];
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) {
      children_[smsbox_index_] = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (children_[smsbox_index_] > 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    children_[smsbox_index_] = -1;
  }
  while (port_open(sendsms_port_)) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

pid_t KannelProcess::spawn(const std::vector<std::string>& args, const std::filesystem::path& log,
                           int stdin_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  for (std::string& arg : copy) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start " + args[0]);
  return pid;
}

void KannelProcess::read_fake_output(int fd) {
  std::string pending;
  char chunk[4096];
  for (;;) {
    const ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got <= 0) break;
    pending.append(chunk, static_cast<std::size_t>(got));
    for (auto newline = pending.find('\n'); newline != std::string::npos;
         newline = pending.find('\n')) {
      const std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      // "... Got message N: <receiver sender type data>"
      const auto open = line.find("Got message");
      const auto start = line.find('<', open == std::string::npos ? 0 : open);
      const auto end = line.rfind('>');
      if (open == std::string::npos || start == std::string::npos || end <= start) continue;
      const std::lock_guard lock(mutex_);
      received_.push_back(line.substr(start + 1, end - start - 1));
      changed_.notify_all();
    }
  }
  ::close(fd);
}

std::string KannelProcess::sendsms_url() const {
  return "http://127.0.0.1:" + std::to_string(sendsms_port_) + "/cgi-bin/sendsms";
}

void KannelProcess::inject(const std::string& sender, const std::string& utf8_text) {
  bool ascii = true;
  for (const char c : utf8_text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  const std::string line =
      sender + " 1400 " + (ascii ? "text " + utf8_text : "ucs2 " + url_encode(utf16be(utf8_text))) +
      "\n";
  if (::write(fake_stdin_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    throw std::runtime_error("cannot write to fakesmsc");
  }
}

std::vector<std::string> KannelProcess::received() const {
  const std::lock_guard lock(mutex_);
  return received_;
}

bool KannelProcess::wait_for_received(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return received_.size() >= count; });
}

KannelProcess::~KannelProcess() {
  if (fake_stdin_ >= 0) ::close(fake_stdin_);
  for (auto pid = children_.rbegin(); pid != children_.rend(); ++pid) {
    if (*pid > 0) ::kill(*pid, SIGTERM);  // -1: a stopped smsbox (kill(-1) would hit all)
  }
  for (pid_t pid : children_) {
    if (pid <= 0) continue;
    // Kannel's boxes stop within a second of SIGTERM; do not let a test hang on them.
    for (int i = 0; i < 50; ++i) {
      if (::waitpid(pid, nullptr, WNOHANG) == pid) {
        pid = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
  if (reader_.joinable()) reader_.join();
}

}  // namespace buurtlijn::testing
