// The real server over real sockets: health, readiness, metrics, security headers, and
// every HTTP refusal (404, 405, 413, 431, 400, a slow client).
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "clients.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
namespace http = boost::beast::http;

TEST_CASE("health, readiness and metrics answer") {
  TempDir dir;
  ServerProcess server(dir.path());

  HttpResult health = http_get(server.port(), "/healthz");
  CHECK(health.status == 200);
  CHECK(health.body == R"({"status":"alive"})");
  CHECK(health.headers["X-Content-Type-Options"] == "nosniff");
  CHECK(health.headers["Content-Security-Policy"].find("frame-ancestors 'none'") !=
        std::string::npos);
  CHECK(health.headers["Referrer-Policy"] == "no-referrer");
  CHECK(health.headers.count("X-Request-Id") == 1);

  HttpResult ready = http_get(server.port(), "/readyz");
  CHECK(ready.status == 200);

  HttpResult metrics = http_get(server.port(), "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.headers["Content-Type"].rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(metrics.body.find("buurtlijn_http_requests_total{route=\"healthz\",status=\"200\"} 1") !=
        std::string::npos);
  CHECK(metrics.body.find("buurtlijn_outbox_depth 0") != std::string::npos);
  CHECK(metrics.body.find("buurtlijn_store_commit_duration_seconds_count") != std::string::npos);

  CHECK(server.stop(SIGTERM) == 0);
  // Every request is logged with its id and route, as one JSON object per line.
  bool logged = false;
  for (const std::string& line : server.log_lines()) {
    const auto entry = boost::json::parse(line).as_object();
    CHECK(entry.contains("ts"));
    CHECK(entry.contains("level"));
    if (entry.at("event").as_string() == "http.request" &&
        entry.at("route").as_string() == "readyz") {
      logged = entry.at("request_id").as_string() == ready.headers["X-Request-Id"];
    }
  }
  CHECK(logged);
}

TEST_CASE("the chat page, its assets and the language list are served") {
  TempDir dir;
  ServerProcess server(dir.path());
  HttpResult page = http_get(server.port(), "/");
  CHECK(page.status == 200);
  CHECK(page.headers["Content-Type"] == "text/html; charset=utf-8");
  CHECK(page.body.find("<html") != std::string::npos);
  CHECK(page.headers["Content-Security-Policy"].find("frame-ancestors 'self'") !=
        std::string::npos);
  CHECK(page.headers["Content-Security-Policy"].find("script-src 'self'") != std::string::npos);

  HttpResult script = http_get(server.port(), "/webchat/chat.js");
  CHECK(script.status == 200);
  CHECK(script.headers["Content-Type"] == "text/javascript; charset=utf-8");
  const std::string etag = script.headers["ETag"];
  CHECK_FALSE(etag.empty());
  HttpResult again = http_request(server.port(), http::verb::get, "/webchat/chat.js", {},
                                  {{"If-None-Match", etag}});
  CHECK(again.status == 304);
  CHECK(http_get(server.port(), "/webchat/widget.js").status == 200);
  CHECK(http_get(server.port(), "/webchat/nope.js").status == 404);

  HttpResult languages = http_get(server.port(), "/webchat/languages.json");
  REQUIRE(languages.status == 200);
  const auto list = boost::json::parse(languages.body).at("languages").as_array();
  REQUIRE(list.size() == 16);
  const char* expected[] = {"nl", "en", "bg", "ro", "uk", "de", "fr", "es",
                            "it", "pt", "ar", "pl", "zh", "fa", "hi", "ti"};
  for (std::size_t i = 0; i < 16; ++i) CHECK(list[i].at("code").as_string() == expected[i]);
  CHECK(list[3].at("name").as_string() == "Română");
  CHECK(list[10].at("name").as_string() == "العربية");
  CHECK(list[10].at("dir").as_string() == "rtl");
  CHECK(list[13].at("dir").as_string() == "rtl");
  CHECK(list[15].at("name").as_string() == "ትግርኛ");
  CHECK_FALSE(list[3].at("ui").at("send").as_string().empty());

  HttpResult head = http_request(server.port(), http::verb::head, "/healthz");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
}

TEST_CASE("refusals: unknown route, wrong method, too large, malformed") {
  TempDir dir;
  ServerProcess server(dir.path());

  HttpResult missing = http_get(server.port(), "/no/such/page");
  CHECK(missing.status == 404);
  CHECK(missing.headers["Content-Type"] == "application/json");
  CHECK(boost::json::parse(missing.body).at("error").at("code").as_string() == "not_found");

  HttpResult wrong = http_request(server.port(), http::verb::post, "/healthz", "x");
  CHECK(wrong.status == 405);
  CHECK(wrong.headers["Allow"] == "GET, HEAD");
  CHECK(boost::json::parse(wrong.body).at("error").at("code").as_string() == "method_not_allowed");

  // Body limits are per route: a GET route takes 16 KiB at most.
  HttpResult large =
      http_request(server.port(), http::verb::get, "/healthz", std::string(20000, 'x'));
  CHECK(large.status == 413);
  CHECK(boost::json::parse(large.body).at("error").at("code").as_string() == "body_too_large");

  const std::string huge_header =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  CHECK(raw_exchange(server.port(), huge_header).rfind("HTTP/1.1 431", 0) == 0);

  CHECK(raw_exchange(server.port(), "HELLO WORLD\r\n\r\n").rfind("HTTP/1.1 400", 0) == 0);

  HttpResult not_upgrade = http_get(server.port(), "/webchat/ws");
  CHECK(not_upgrade.status == 426);

  // The server still serves after all of that.
  CHECK(http_get(server.port(), "/healthz").status == 200);
  HttpResult metrics = http_get(server.port(), "/metrics");
  CHECK(metrics.body.find("route=\"unmatched\",status=\"404\"") != std::string::npos);
  CHECK(metrics.body.find("route=\"healthz\",status=\"413\"") != std::string::npos);
}

TEST_CASE("pipelined requests are answered in order and capped per connection") {
  TempDir dir;
  ServerProcess server(dir.path());
  std::string pipelined;
  for (int i = 0; i < 20; ++i) pipelined += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string answer = raw_exchange(server.port(), pipelined);
  std::size_t responses = 0;
  for (auto at = answer.find("HTTP/1.1 200"); at != std::string::npos;
       at = answer.find("HTTP/1.1 200", at + 1)) {
    ++responses;
  }
  CHECK(responses == 16);  // max_pipelined_requests, then the server closes
  CHECK(answer.find("Connection: close") != std::string::npos);
}

TEST_CASE("a client that stops sending mid-request is cut off by the read timeout") {
  TempDir dir;
  const auto config = dir.path() / "buurtlijn.yaml";
  {
    std::FILE* file = std::fopen(config.c_str(), "w");
    std::fputs("server:\n  read_timeout_ms: 300\n", file);
    std::fclose(file);
  }
  ServerProcess server(dir.path(), {"--config", config.string()});
  const auto started = std::chrono::steady_clock::now();
  const std::string answer =
      raw_exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost", std::chrono::seconds(10));
  const auto waited = std::chrono::steady_clock::now() - started;
  CHECK(answer.empty());
  CHECK(waited < std::chrono::seconds(5));
  CHECK(http_get(server.port(), "/healthz").status == 200);
}

TEST_CASE("connections beyond max_connections are closed at once") {
  TempDir dir;
  const auto config = dir.path() / "buurtlijn.yaml";
  {
    std::FILE* file = std::fopen(config.c_str(), "w");
    std::fputs("server:\n  max_connections: 2\n", file);
    std::fclose(file);
  }
  ServerProcess server(dir.path(), {"--config", config.string()});
  boost::asio::io_context io;
  std::vector<boost::asio::ip::tcp::socket> held;
  for (int i = 0; i < 2; ++i) {
    held.emplace_back(io);
    held.back().connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
  }
  // Both held connections are open and idle: a third one is refused.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto started = std::chrono::steady_clock::now();
  CHECK(raw_exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").empty());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  held.clear();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(http_get(server.port(), "/healthz").status == 200);
  CHECK(
      http_get(server.port(), "/metrics")
          .body.find(
              "buurtlijn_inbound_refused_total{channel=\"http\",reason=\"connection_limit\"} 1") !=
      std::string::npos);
}

TEST_CASE("a bad configuration is refused at start with the key and reason") {
  TempDir dir;
  const auto config = dir.path() / "bad.yaml";
  {
    std::FILE* file = std::fopen(config.c_str(), "w");
    std::fputs("server:\n  max_connections: lots\n", file);
    std::fclose(file);
  }
  const std::string command = buurtlijn_binary() + " serve --config " + config.string() +
                              " --data-dir " + dir.path().string() + " 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char chunk[512];
  while (std::fgets(chunk, sizeof chunk, pipe) != nullptr) output += chunk;
  const int status = ::pclose(pipe);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(output.find("server.max_connections: must be a whole number (got 'lots')") !=
        std::string::npos);
}

TEST_CASE("--help lists the commands and the options") {
  std::FILE* pipe = ::popen((buurtlijn_binary() + " serve --help").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char chunk[512];
  while (std::fgets(chunk, sizeof chunk, pipe) != nullptr) output += chunk;
  CHECK(::pclose(pipe) == 0);
  CHECK(output.find("--listen") != std::string::npos);
  CHECK(output.find("--data-dir") != std::string::npos);
  CHECK(output.find("--config") != std::string::npos);
}

TEST_CASE("one address beyond its rate gets 429 with Retry-After; others are still served") {
  TempDir dir;
  const auto config = dir.path() / "limits.yaml";
  {
    std::FILE* file = std::fopen(config.c_str(), "w");
    // Loopback is our trusted proxy here, so X-Forwarded-For picks the client.
    std::fputs(
        "server:\n  per_address_per_second: 0.5\n  per_address_burst: 3\n"
        "  trusted_proxies: [\"127.0.0.1\"]\n",
        file);
    std::fclose(file);
  }
  ServerProcess server(dir.path(), {"--config", config.string()});
  const auto from = [&](const std::string& client, const std::string& proto = "http") {
    return http_request(server.port(), http::verb::get, "/healthz", {},
                        {{"X-Forwarded-For", client}, {"X-Forwarded-Proto", proto}});
  };
  for (int i = 0; i < 3; ++i) CHECK(from("203.0.113.7").status == 200);
  const HttpResult refused = from("203.0.113.7");
  CHECK(refused.status == 429);
  CHECK(refused.headers.at("Retry-After") == "2");
  CHECK(refused.body.find("rate_limited") != std::string::npos);
  // Another client behind the same proxy is not affected, and over TLS it gets HSTS.
  const HttpResult other = from("198.51.100.1", "https");
  CHECK(other.status == 200);
  CHECK(other.headers.at("Strict-Transport-Security").find("max-age=") == 0);
  CHECK(from("198.51.100.2").headers.count("Strict-Transport-Security") == 0);
  CHECK(server.stop(SIGTERM) == 0);
}
