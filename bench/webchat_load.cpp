// Memory scenario: `buurtlijn serve` on a database of --conversations stored
// conversations, with --sockets web chat WebSockets open at once, each sending a
// question every few seconds (within the chat's own rate limit), acknowledging every
// reply as the page does. Reports the server's peak resident set (VmHWM) and the
// traffic, so a run that exchanged nothing is visible as such.
//
//   buurtlijn_webchat_load --binary build/release/buurtlijn --work build/bench/memory
//                          [--conversations 100000] [--sockets 2000] [--seconds 30]
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench/seed_database.hpp"
#include "server_process.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

std::string argument(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return argv[i + 1];
  }
  return fallback;
}

struct Totals {
  long connected = 0;
  long failed = 0;
  long sent = 0;
  long acked = 0;
  long replies = 0;
};

constexpr std::string_view kQuestions[] = {
    "cum ma inregistrez la gemeente", "unde primesc milieupas", "proprietarul nu da garantia",
    "ce acte trebuie pentru BRP",     "unde duc mobila veche",  "vreau sa vorbesc cu cineva",
};

using Socket = beast::websocket::stream<beast::tcp_stream>;

// One chat: the socket and the reply ids to acknowledge with the next frame we send
// (Beast allows one write at a time, so only the sending coroutine writes).
struct Chat {
  explicit Chat(asio::any_io_executor executor) : socket(std::move(executor)) {}
  Socket socket;
  std::vector<json::value> unacknowledged;
};

// Reads frames until the socket closes.
asio::awaitable<void> read_frames(std::shared_ptr<Chat> chat, Totals& totals) {
  beast::flat_buffer buffer;
  try {
    for (;;) {
      buffer.clear();
      co_await chat->socket.async_read(buffer, asio::use_awaitable);
      const json::value frame = json::parse(beast::buffers_to_string(buffer.data()));
      const json::string& type = frame.at("type").as_string();
      if (type == "ack") {
        ++totals.acked;
      } else if (type == "message") {
        ++totals.replies;
        chat->unacknowledged.push_back(frame.at("id"));
      }
    }
  } catch (const std::exception&) {
    // closed: the sender has finished or the server went away
  }
}

asio::awaitable<void> write_frame(Socket& socket, const json::object& frame) {
  const std::string text = json::serialize(frame);
  co_await socket.async_write(asio::buffer(text), asio::use_awaitable);
}

asio::awaitable<void> run_socket(asio::ip::tcp::endpoint endpoint, int index, Clock::time_point end,
                                 Totals& totals) {
  auto executor = co_await asio::this_coro::executor;
  auto chat = std::make_shared<Chat>(executor);
  try {
    co_await beast::get_lowest_layer(chat->socket).async_connect(endpoint, asio::use_awaitable);
    beast::get_lowest_layer(chat->socket).expires_never();
    co_await chat->socket.async_handshake("127.0.0.1", "/webchat/ws", asio::use_awaitable);
    ++totals.connected;
    const json::object hello{{"type", "hello"}, {"token", ""}, {"language", "ro"}};
    co_await write_frame(chat->socket, hello);
    asio::co_spawn(executor, read_frames(chat, totals), asio::detached);
    std::mt19937 random(static_cast<unsigned>(index));
    asio::steady_timer timer(executor);
    // Spread the sockets over the first interval, then one question every 4-6 s.
    timer.expires_after(std::chrono::milliseconds(random() % 5000));
    co_await timer.async_wait(asio::use_awaitable);
    for (int n = 0; Clock::now() < end; ++n) {
      if (!chat->unacknowledged.empty()) {
        json::array ids(chat->unacknowledged.begin(), chat->unacknowledged.end());
        chat->unacknowledged.clear();
        const json::object received{{"type", "received"}, {"ids", std::move(ids)}};
        co_await write_frame(chat->socket, received);
      }
      const json::object message{{"type", "message"},
                                 {"id", "b" + std::to_string(index) + "-" + std::to_string(n)},
                                 {"text", kQuestions[(index + n) % std::size(kQuestions)]}};
      co_await write_frame(chat->socket, message);
      ++totals.sent;
      timer.expires_after(std::chrono::milliseconds(4000 + random() % 2000));
      co_await timer.async_wait(asio::use_awaitable);
    }
    co_await chat->socket.async_close(beast::websocket::close_code::normal, asio::use_awaitable);
  } catch (const std::exception&) {
    ++totals.failed;
  }
}

long peak_rss_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const std::string binary = argument(argc, argv, "--binary", "");
  const fs::path work = argument(argc, argv, "--work", "build/bench/memory");
  const long long conversations = std::stoll(argument(argc, argv, "--conversations", "100000"));
  const int sockets = std::stoi(argument(argc, argv, "--sockets", "2000"));
  const int seconds = std::stoi(argument(argc, argv, "--seconds", "30"));
  if (binary.empty()) {
    std::fprintf(stderr,
                 "usage: %s --binary PATH [--work DIR] [--conversations N] "
                 "[--sockets N] [--seconds N]\n",
                 argv[0]);
    return 2;
  }
  setenv("BUURTLIJN_BIN", fs::absolute(binary).c_str(), 1);
  fs::remove_all(work);
  fs::create_directories(work);
  if (auto error = buurtlijn::bench::seed_database(
          buurtlijn::bench::make_plan((work / "buurtlijn.db").string(), conversations, 0));
      !error.empty()) {
    std::fprintf(stderr, "seeding failed: %s\n", error.c_str());
    return 1;
  }
  {
    std::ofstream config(work / "bench.yaml");
    // All sockets come from one address: lift the per-address request limit.
    config << "server:\n  per_address_per_second: 100000\n  per_address_burst: 100000\n"
           << "  max_connections: " << sockets + 256
           << "\nwebchat:\n  max_sessions: " << sockets + 256 << "\nlog:\n  requests: false\n";
  }
  buurtlijn::testing::ServerProcess server(work, {"--config", (work / "bench.yaml").string()});
  const long rss_before = peak_rss_kb(server.pid());

  asio::io_context io;
  Totals totals;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server.port());
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  for (int i = 0; i < sockets; ++i) {
    asio::co_spawn(io, run_socket(endpoint, i, end, totals), asio::detached);
  }
  io.run_for(std::chrono::seconds(seconds + 10));
  const long peak = peak_rss_kb(server.pid());
  server.stop(SIGTERM);
  std::printf(
      "sockets connected %ld (failed %ld), questions sent %ld, acknowledged %ld, "
      "replies %ld\n",
      totals.connected, totals.failed, totals.sent, totals.acked, totals.replies);
  std::printf("server peak RSS after start %.1f MB, after the load %.1f MB\n",
              static_cast<double>(rss_before) / 1024, static_cast<double>(peak) / 1024);
  std::printf("RESULT peak_rss_mb=%.1f sockets=%ld sent=%ld replies=%ld\n",
              static_cast<double>(peak) / 1024, totals.connected, totals.sent, totals.replies);
  return totals.connected == sockets && totals.replies > 0 ? 0 : 1;
}
