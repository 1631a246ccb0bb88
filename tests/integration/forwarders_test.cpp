// Forwarders of new cases (issue 5) against the real server, the real CLI and real peers:
// a real SMTP server (aiosmtpd, tests/integration/smtp_sink.py) on a loopback port that
// is down when the case is created (the e-mail is retried and arrives once, with the
// case's summary and link and without the reporter's contact), and a fake Open311
// server whose service_request_id ends up stored with the case.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "server_process.hpp"

extern char** environ;

using namespace buurtlijn::testing;
namespace json = boost::json;

namespace {

std::string forward_source_dir() {
  const char* dir = std::getenv("BUURTLIJN_SOURCE_DIR");
  REQUIRE(dir != nullptr);
  return dir;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

pid_t spawn(std::vector<std::string> all, const std::filesystem::path& out,
            const std::filesystem::path& err) {
  std::vector<char*> argv;
  for (std::string& arg : all) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(spawned == 0);
  return pid;
}

struct Cli {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Cli cli(const TempDir& dir, std::vector<std::string> args) {
  static int counter = 0;
  const auto out = dir.path() / ("fwd-cli-" + std::to_string(counter) + ".out");
  const auto err = dir.path() / ("fwd-cli-" + std::to_string(counter++) + ".err");
  args.insert(args.begin(), buurtlijn_binary());
  const pid_t pid = spawn(std::move(args), out, err);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), slurp(out), slurp(err)};
}

// A loopback port nobody listens on (yet).
std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

bool accepts(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

// The SMTP server: /usr/bin/python3 smtp_sink.py (Debian's python3-aiosmtpd).
class SmtpSink {
 public:
  SmtpSink(const TempDir& dir, std::uint16_t port) : mail_(dir.path() / "mail") {
    pid_ = spawn({"/usr/bin/python3", forward_source_dir() + "/tests/integration/smtp_sink.py",
                  "127.0.0.1", std::to_string(port), mail_.string()},
                 dir.path() / "smtp.out", dir.path() / "smtp.err");
    for (int i = 0; i < 200 && !accepts(port); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE_MESSAGE(accepts(port), slurp(dir.path() / "smtp.err"));
  }
  ~SmtpSink() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  std::vector<std::filesystem::path> messages() const {
    std::vector<std::filesystem::path> found;
    if (!std::filesystem::exists(mail_)) return found;
    for (const auto& entry : std::filesystem::directory_iterator(mail_)) {
      if (entry.path().extension() == ".eml") found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    return found;
  }
  bool wait_for(std::size_t count, std::chrono::seconds timeout) const {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (messages().size() < count) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
  }
  const std::filesystem::path& mail() const { return mail_; }

 private:
  std::filesystem::path mail_;
  pid_t pid_ = -1;
};

std::filesystem::path forward_config(const TempDir& dir, const std::string& forwarders) {
  const auto path = dir.path() / "forward.yaml";
  std::ofstream file(path);
  file << "cases:\n  areas_geojson: " << forward_source_dir()
       << "/data/areas/deventer-illustrative.geojson\n  postcodes_csv: " << forward_source_dir()
       << "/data/areas/deventer-illustrative-postcodes.csv\n"
       << "  public_base_url: https://buurtlijn.example\n"
       << "  forwarders:\n"
       << forwarders
       << "outbox:\n  initial_backoff_ms: 300\n  max_backoff_ms: 1000\n  max_attempts: 40\n";
  return path;
}

json::object report_case(const TempDir& dir, const std::filesystem::path& config,
                         const std::string& category) {
  const Cli report =
      cli(dir, {"cases", "report", "--config", config.string(), "--data-dir", dir.path().string(),
                "--category", category, "--lat", "52.2401", "--lon", "6.1601", "--reporter-channel",
                "whatsapp", "--reporter-address", "31612345678", "--updates", "--description",
                "zakken naast de container, bel 0612345678"});
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  boost::system::error_code ec;
  json::value created = json::parse(report.out, ec);
  REQUIRE_MESSAGE(!ec, report.out);
  return created.as_object();
}

}  // namespace

TEST_CASE("forwarders: e-mail to the team's SMTP server, retried while it is down, once") {
  TempDir dir;
  const std::uint16_t smtp_port = free_port();
  const auto config = forward_config(
      dir,
      "    - team: waste_team\n      email:\n        to: [afval@deventer.example, "
      "toezicht@deventer.example]\n        from: \"Buurtlijn <buurtlijn@deventer.example>\"\n"
      "        smtp_url: smtp://127.0.0.1:" +
          std::to_string(smtp_port) + "\n");
  ServerProcess server(dir.path(), {"--config", config.string()});
  REQUIRE(server.wait_for_log("outbox.started", std::chrono::seconds(10)));

  const json::object created = report_case(dir, config, "waste_beside_container");
  CHECK(created.at("team").as_string() == "waste_team");
  const std::string number = std::to_string(created.at("report").as_int64());
  const std::string case_id = std::to_string(created.at("case").as_int64());
  // Queued in the same write as the case.
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM case_forwards WHERE case_id = " + case_id +
                                   " AND channel = 'email'") == 1);
  CHECK(count_rows(dir.path(),
                   "SELECT count(*) FROM outbox WHERE channel = 'email' AND "
                   "subject_id IS NULL") == 1);

  // Nobody listens yet: the attempt fails and is retried later.
  REQUIRE(server.wait_for_log("\"channel\":\"email\"", std::chrono::seconds(20)));
  SmtpSink sink(dir, smtp_port);
  REQUIRE(sink.wait_for(1, std::chrono::seconds(30)));
  std::this_thread::sleep_for(std::chrono::seconds(3));  // a second copy would come by now
  REQUIRE(sink.messages().size() == 1);

  const std::string message = slurp(sink.messages()[0]);
  const std::string envelope = slurp(sink.mail() / (sink.messages()[0].stem().string() + ".env"));
  CHECK(envelope ==
        "buurtlijn@deventer.example\nafval@deventer.example\ntoezicht@deventer.example\n");
  CHECK(message.find("From: Buurtlijn <buurtlijn@deventer.example>\r\n") != std::string::npos);
  CHECK(message.find("To: afval@deventer.example,\r\n toezicht@deventer.example\r\n") !=
        std::string::npos);
  CHECK(message.find("Subject: Buurtlijn: nieuwe zaak " + case_id +
                     " (Afval naast container), melding " + number + "\r\n") != std::string::npos);
  CHECK(message.find("Content-Type: text/plain; charset=UTF-8\r\n") != std::string::npos);
  CHECK(message.find("Soort melding: Afval naast container\r\n") != std::string::npos);
  CHECK(message.find("Wijk en buurt: Rivierenwijk") != std::string::npos);
  CHECK(message.find("Meldingsnummer: " + number + "\r\n") != std::string::npos);
  CHECK(message.find("Status: Nieuw\r\n") != std::string::npos);  // the name, not the code
  CHECK(message.find("Status: new") == std::string::npos);
  CHECK(message.find("Zaak in de beheeromgeving: https://buurtlijn.example/admin/case?id=" +
                     case_id + "\r\n") != std::string::npos);
  // No reporter contact, and not the reporter's own text either.
  CHECK(message.find("31612345678") == std::string::npos);
  CHECK(message.find("0612345678") == std::string::npos);
  CHECK(message.find("Contact melder") == std::string::npos);

  CHECK(count_rows(dir.path(),
                   "SELECT count(*) FROM outbox WHERE channel = 'email' AND status = "
                   "'sent' AND attempts >= 2") == 1);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM case_forwards WHERE case_id = " + case_id +
                                   " AND sent_at IS NOT NULL") == 1);
  CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("forwarders: an Open311 client posts to the remote system and keeps its id") {
  TempDir dir;
  FakeProvider remote;
  remote.set_responder([](const RecordedRequest&, int repeat) {
    // The first attempt meets a server error: the item is retried, not lost.
    if (repeat == 0)
      return FakeAnswer{503, R"([{"code":503,"description":"busy"}])", {}, {}, false};
    return FakeAnswer{
        201, R"([{"service_request_id":"SIG-4711","service_notice":""}])", {}, {}, false};
  });
  const auto config = forward_config(
      dir,
      "    - team: room_rental_inspectors\n      open311:\n        endpoint: " + remote.base_url() +
          "/signals/open311/v2\n        service_code: woningdelen\n        "
          "jurisdiction_id: deventer.example\n");
  ServerProcess server(
      dir.path(), {"--config", config.string()},
      {{"BUURTLIJN_FORWARD_ROOM_RENTAL_INSPECTORS_OPEN311_API_KEY", "remote-k3y"}});
  REQUIRE(server.wait_for_log("outbox.started", std::chrono::seconds(10)));
  const json::object created = report_case(dir, config, "overcrowded_housing");
  CHECK(created.at("team").as_string() == "room_rental_inspectors");
  const std::string case_id = std::to_string(created.at("case").as_int64());

  REQUIRE(remote.wait_for_requests(2, std::chrono::seconds(30)));
  const RecordedRequest request = remote.requests()[1];
  CHECK(request.method == "POST");
  CHECK(request.target == "/signals/open311/v2/requests.json");
  CHECK(request.headers.at("content-type") == "application/x-www-form-urlencoded");
  CHECK(request.body == remote.requests()[0].body);  // the same request, sent again
  CHECK(request.body.find("api_key=remote-k3y") != std::string::npos);
  CHECK(request.body.find("jurisdiction_id=deventer.example") != std::string::npos);
  CHECK(request.body.find("service_code=woningdelen") != std::string::npos);
  CHECK(request.body.find("lat=52.240100") != std::string::npos);
  CHECK(request.body.find("long=6.160100") != std::string::npos);
  CHECK(request.body.find("https%3A%2F%2Fbuurtlijn.example%2Fadmin%2Fcase%3Fid%3D" + case_id) !=
        std::string::npos);
  CHECK(request.body.find("31612345678") == std::string::npos);  // never the reporter's address

  bool stored = false;
  for (int i = 0; i < 100 && !stored; ++i) {
    stored =
        count_rows(dir.path(), "SELECT count(*) FROM case_forwards WHERE case_id = " + case_id +
                                   " AND remote_id = 'SIG-4711'") == 1;
    if (!stored) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(stored);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  CHECK(remote.requests().size() == 2);  // sent once it was accepted, never again
  CHECK(server.stop(SIGTERM) == 0);
}
