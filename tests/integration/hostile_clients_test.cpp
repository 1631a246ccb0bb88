// Hostile clients (issue 7): slowloris connections dripping their headers one byte at a
// time, a crowd of idle connections, and deeply nested JSON on a webhook. Each is cut off
// by a limit, and the server keeps serving everyone else meanwhile.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "clients.hpp"
#include "database_probe.hpp"
#include "provider_payloads.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

std::filesystem::path short_timeouts(const TempDir& dir) {
  const auto path = dir.path() / "hostile.yaml";
  std::ofstream(path) << "server:\n  read_timeout_ms: 500\n";
  return path;
}

asio::ip::tcp::endpoint loopback(std::uint16_t port) {
  return {asio::ip::make_address("127.0.0.1"), port};
}

// True once the server closed the connection (end of stream or reset).
bool closed_by_server(asio::ip::tcp::socket& socket) {
  pollfd polled{socket.native_handle(), POLLIN, 0};
  if (::poll(&polled, 1, 0) <= 0) return false;
  char byte = 0;
  return ::recv(socket.native_handle(), &byte, 1, MSG_DONTWAIT) <= 0;
}

// Sends `header` one byte every `pause` until the server closes the connection; returns
// how long that took, or nullopt when the whole header went through.
std::optional<std::chrono::milliseconds> drip(std::uint16_t port, const std::string& header,
                                              std::chrono::milliseconds pause) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect(loopback(port));
  const auto started = std::chrono::steady_clock::now();
  for (const char byte : header) {
    boost::system::error_code error;
    asio::write(socket, asio::buffer(&byte, 1), error);
    if (error || closed_by_server(socket)) {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
    }
    std::this_thread::sleep_for(pause);
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("slowloris: headers dripped one byte at a time are cut off; others are served") {
  TempDir dir;
  ServerProcess server(dir.path(), {"--config", short_timeouts(dir).string()});
  // 60 bytes at one per 50 ms would take 3 s; the read deadline covers the whole header
  // (500 ms), it is not re-armed by every byte.
  const std::string header =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris-test\r\n\r\n";
  constexpr int kDrippers = 24;
  std::atomic<int> cut_off{0};
  std::atomic<long long> slowest_ms{0};
  std::vector<std::thread> drippers;
  for (int i = 0; i < kDrippers; ++i) {
    drippers.emplace_back([&] {
      const auto took = drip(server.port(), header, 50ms);
      if (!took) return;
      ++cut_off;
      long long seen = slowest_ms.load();
      while (took->count() > seen && !slowest_ms.compare_exchange_weak(seen, took->count())) {
      }
    });
  }
  // Meanwhile an honest client is answered at once, again and again.
  for (int i = 0; i < 10; ++i) {
    const auto asked = std::chrono::steady_clock::now();
    CHECK(http_get(server.port(), "/healthz").status == 200);
    CHECK(std::chrono::steady_clock::now() - asked < 1s);
    std::this_thread::sleep_for(50ms);
  }
  for (std::thread& dripper : drippers) dripper.join();
  CHECK(cut_off.load() == kDrippers);
  CHECK(slowest_ms.load() < 2500);  // well before the header would have been complete
  CHECK(http_get(server.port(), "/healthz").status == 200);
  CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("a crowd of idle connections is closed by the read deadline; others are served") {
  TempDir dir;
  ServerProcess server(dir.path(), {"--config", short_timeouts(dir).string()});
  asio::io_context io;
  std::vector<asio::ip::tcp::socket> idle;
  for (int i = 0; i < 200; ++i) {
    idle.emplace_back(io);
    idle.back().connect(loopback(server.port()));
  }
  CHECK(http_get(server.port(), "/healthz").status == 200);
  std::this_thread::sleep_for(1500ms);
  int closed = 0;
  for (auto& socket : idle) closed += closed_by_server(socket) ? 1 : 0;
  CHECK(closed == 200);
  CHECK(http_get(server.port(), "/healthz").status == 200);
  CHECK(server.stop(SIGTERM) == 0);
}

TEST_CASE("deeply nested JSON on a webhook is refused with 400 and stores nothing") {
  TempDir dir;
  ServerProcess server(dir.path(), {}, provider::channel_environment("http://127.0.0.1:9"));
  // 100,000 levels: a recursive parser without a depth limit would overflow its stack.
  const std::string deep =
      R"({"update_id":1,"message":)" + std::string(100'000, '[') + std::string(100'000, ']') + "}";
  const HttpResult telegram = provider::post_telegram(server.port(), deep);
  CHECK(telegram.status == 400);
  const std::string wa_deep = R"({"object":"whatsapp_business_account","entry":)" +
                              std::string(50'000, '[') + std::string(50'000, ']') + "}";
  CHECK(provider::post_whatsapp(server.port(), wa_deep).status == 400);
  CHECK(http_get(server.port(), "/healthz").status == 200);
  // An ordinary message right after is taken.
  CHECK(provider::post_telegram(server.port(), provider::telegram_text(2, 4242, "hallo")).status ==
        200);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM messages WHERE direction = 'in'") == 1);
  CHECK(server.stop(SIGTERM) == 0);
}
