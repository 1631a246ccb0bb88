// A real Kannel for the SMS tests: writes a kannel.conf into a temporary directory with
// free loopback ports, starts bearerbox, the fake SMSC (fed through a pipe that stays
// open, so it does not exit at end of input) and smsbox, injects SMS as if sent from a
// phone, and collects what the fake SMSC receives. Stops everything when destroyed.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace buurtlijn::testing {

class KannelProcess {
 public:
  // `webhook_base` is the buurtlijn server, e.g. "http://127.0.0.1:8080"; `secret`
  // protects both callbacks.
  KannelProcess(const std::filesystem::path& dir, const std::string& webhook_base,
                const std::string& secret);
  ~KannelProcess();
  KannelProcess(const KannelProcess&) = delete;
  KannelProcess& operator=(const KannelProcess&) = delete;

  std::string sendsms_url() const;
  std::string username() const { return "buurtlijn"; }
  std::string password() const { return "sendsms-pw"; }

  // An SMS from `sender` to the short code; non-GSM text is sent as UCS-2.
  void inject(const std::string& sender, const std::string& utf8_text);
  // Lines "receiver sender type data" the fake SMSC got from Kannel (our replies).
  std::vector<std::string> received() const;
  bool wait_for_received(std::size_t count, std::chrono::milliseconds timeout) const;

  // Stops smsbox (Kannel's HTTP side: sendsms and the calls to our webhook) and waits for
  // it to exit; start_smsbox() starts it again on the same ports and waits until it
  // accepts sendsms calls. bearerbox and the fake SMSC keep running.
  void stop_smsbox();
  void start_smsbox();

 private:
  pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& log,
              int stdin_fd = -1);
  void read_fake_output(int fd);

  std::filesystem::path dir_;
  std::size_t smsbox_index_ = 0;  // in children_
  std::uint16_t sendsms_port_ = 0;
  std::vector<pid_t> children_;  // started order; stopped in reverse
  int fake_stdin_ = -1;
  std::thread reader_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<std::string> received_;
};

// A TCP port nobody listens on right now.
std::uint16_t free_port();

}  // namespace buurtlijn::testing
