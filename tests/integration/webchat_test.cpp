// The web chat end to end over a real WebSocket against the real server: a conversation,
// a restart that keeps it, redelivery of unacknowledged replies, every refusal, and a
// graceful shutdown that says "going away".
#include <doctest/doctest.h>
#include <signal.h>

#include <thread>

#include "clients.hpp"
#include "database_probe.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
namespace json = boost::json;

namespace {
std::string start_conversation(ChatClient& chat, const std::string& token = {}) {
  chat.send_json({{"type", "hello"}, {"token", token}, {"language", ""}});
  const json::object ready = chat.read_until("ready");
  return std::string(ready.at("token").as_string());
}

long long messages(const TempDir& dir, const std::string& direction) {
  return count_rows(dir.path(),
                    "SELECT count(*) FROM messages WHERE direction = '" + direction + "'");
}
}  // namespace

TEST_CASE("a conversation in Romanian survives a restart, with queued replies delivered") {
  TempDir dir;
  std::string token;
  std::string undelivered_id;
  {
    ServerProcess server(dir.path());
    ChatClient chat(server.port());
    token = start_conversation(chat);
    CHECK(token.size() >= 16);

    chat.send_json({{"type", "language"}, {"id", "c-1"}, {"language", "ro"}});
    CHECK(chat.read_until("ack").at("id").as_string() == "c-1");
    const json::object welcome = chat.read_until("message");
    CHECK(welcome.at("lang").as_string() == "ro");
    CHECK(welcome.at("dir").as_string() == "ltr");
    CHECK_FALSE(welcome.at("text").as_string().empty());
    chat.send_json({{"type", "received"}, {"ids", json::array{welcome.at("id")}}});

    // This reply is never acknowledged by the page: it must come again after a restart.
    chat.send_json({{"type", "message"}, {"id", "c-2"}, {"text", "menu"}});
    CHECK(chat.read_until("ack").at("id").as_string() == "c-2");
    const json::object menu = chat.read_until("message");
    CHECK(menu.at("lang").as_string() == "ro");
    CHECK(menu.at("buttons").as_array().size() >= 5);
    undelivered_id = std::string(menu.at("id").as_string());
    chat.close();
    CHECK(server.stop(SIGTERM) == 0);
  }
  CHECK(messages(dir, "in") == 2);
  {
    ServerProcess server(dir.path());
    ChatClient chat(server.port());
    chat.send_json({{"type", "hello"}, {"token", token}, {"language", ""}});
    const json::object ready = chat.read_until("ready");
    CHECK(ready.at("token").as_string() == token);
    CHECK(ready.at("language").as_string() == "ro");
    const json::object redelivered = chat.read_until("message");
    CHECK(redelivered.at("id").as_string() == undelivered_id);
    chat.send_json({{"type", "received"}, {"ids", json::array{redelivered.at("id")}}});

    // A resent message (same client id) is acknowledged again and stored once.
    chat.send_json({{"type", "message"}, {"id", "c-2"}, {"text", "menu"}});
    CHECK(chat.read_until("ack").at("id").as_string() == "c-2");
    chat.send_json({{"type", "choice"}, {"id", "c-3"}, {"choice", "brp"}, {"label", "BRP"}});
    CHECK(chat.read_until("ack").at("id").as_string() == "c-3");
    const json::object answer = chat.read_until("message");
    CHECK(answer.at("lang").as_string() == "ro");
    chat.send_json({{"type", "received"}, {"ids", json::array{answer.at("id")}}});
    chat.close();
    CHECK(server.stop(SIGTERM) == 0);
  }
  CHECK(messages(dir, "in") == 3);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM conversations") == 1);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM outbox WHERE status = 'delivered'") == 3);
  // The token itself is never stored: only its keyed hash.
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM subjects WHERE pseudonym = '" + token + "'") ==
        0);
}

TEST_CASE("Arabic replies are marked right-to-left") {
  TempDir dir;
  ServerProcess server(dir.path());
  ChatClient chat(server.port());
  start_conversation(chat);
  chat.send_json({{"type", "language"}, {"id", "a-1"}, {"language", "ar"}});
  const json::object language = chat.read_until("language");
  CHECK(language.at("dir").as_string() == "rtl");
  const json::object welcome = chat.read_until("message");
  CHECK(welcome.at("lang").as_string() == "ar");
  CHECK(welcome.at("dir").as_string() == "rtl");
}

TEST_CASE("bad frames get a clear error or close code and nothing is stored") {
  TempDir dir;
  ServerProcess server(dir.path());
  {
    ChatClient chat(server.port());
    chat.send_json({{"type", "message"}, {"id", "x-1"}, {"text", "before hello"}});
    CHECK(chat.read_until("error").at("code").as_string() == "invalid_frame");
    start_conversation(chat);
    chat.send_text("{not json");
    CHECK(chat.read_until("error").at("code").as_string() == "invalid_frame");
    chat.send_json({{"type", "message"}, {"id", "x-2"}, {"text", std::string(4097, 'a')}});
    const json::object too_long = chat.read_until("error");
    CHECK(too_long.at("code").as_string() == "too_long");
    CHECK(too_long.at("id").as_string() == "x-2");
    chat.send_json({{"type", "message"}, {"id", "x-3"}, {"text", ""}});
    CHECK(chat.read_until("error").at("code").as_string() == "invalid_frame");
    chat.send_json({{"type", "language"}, {"id", "x-4"}, {"language", "xx"}});
    CHECK(chat.read_until("error").at("code").as_string() == "invalid_frame");
    chat.send_binary("\x01\x02");
    CHECK(chat.read_until("error").at("code").as_string() == "invalid_frame");
  }
  {
    // Invalid UTF-8 in a text frame: the WebSocket layer closes with 1007.
    ChatClient chat(server.port());
    start_conversation(chat);
    chat.send_text("{\"type\":\"message\",\"id\":\"u-1\",\"text\":\"\xC3\x28\"}");
    while (chat.read()) {
    }
    CHECK(chat.close_code() == 1007);
  }
  {
    // A frame far over the limit: closed with 1009 (message too big).
    ChatClient chat(server.port());
    start_conversation(chat);
    chat.try_send_text(std::string(64 * 1024, ' '));
    while (chat.read()) {
    }
    // The server sends 1009 and closes at once; with the rest of the frame still unread
    // the kernel may turn that into a reset, so the client sees one or the other.
    CHECK((chat.close_code() == 1009 || chat.dropped()));
  }
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM messages") == 0);
  CHECK(http_get(server.port(), "/healthz").status == 200);
}

TEST_CASE("a flood of frames is rate limited, then the socket is closed") {
  TempDir dir;
  ServerProcess server(dir.path());
  ChatClient chat(server.port());
  start_conversation(chat);
  for (int i = 0; i < 60; ++i) {
    chat.send_json({{"type", "message"}, {"id", "f-" + std::to_string(i)}, {"text", "spam"}});
  }
  int acks = 0;
  int limited = 0;
  while (auto frame = chat.read(std::chrono::seconds(10))) {
    const auto type = frame->at("type").as_string();
    if (type == "ack") ++acks;
    if (type == "error" && frame->at("code").as_string() == "rate_limited") ++limited;
  }
  CHECK(acks >= 9);  // the burst (the hello took one token)
  CHECK(acks <= 12);
  CHECK(limited >= 20);
  CHECK(chat.close_code() == 1008);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM messages WHERE direction = 'in'") == acks);
}

TEST_CASE("a socket from a foreign origin is refused") {
  TempDir dir;
  ServerProcess server(dir.path());
  CHECK_THROWS(ChatClient(server.port(), "https://evil.example"));
  ChatClient own(server.port(), "http://127.0.0.1:" + std::to_string(server.port()));
  start_conversation(own);
}

TEST_CASE("shutdown closes chat sockets with going-away and exits 0") {
  TempDir dir;
  ServerProcess server(dir.path());
  ChatClient chat(server.port());
  start_conversation(chat);
  chat.send_json({{"type", "language"}, {"id", "s-1"}, {"language", "nl"}});
  chat.read_until("ack");
  std::thread stopper([&server] { CHECK(server.stop(SIGTERM) == 0); });
  while (chat.read(std::chrono::seconds(15))) {
  }
  stopper.join();
  CHECK(chat.close_code() == 1001);
}

TEST_CASE("kill -9 loses nothing that was acknowledged") {
  TempDir dir;
  int acknowledged = 0;
  {
    ServerProcess server(dir.path());
    std::vector<std::unique_ptr<ChatClient>> chats;
    for (int c = 0; c < 4; ++c) {
      chats.push_back(std::make_unique<ChatClient>(server.port()));
      start_conversation(*chats.back());
    }
    for (int round = 0; round < 8; ++round) {
      for (auto& chat : chats) {
        chat->send_json({{"type", "message"},
                         {"id", "k-" + std::to_string(round)},
                         {"text", "bericht " + std::to_string(round)}});
      }
      for (auto& chat : chats) {
        chat->read_until("ack");
        ++acknowledged;
      }
    }
    server.stop(SIGKILL);
  }
  CHECK(acknowledged == 32);
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM messages WHERE direction = 'in'") == 32);
  ServerProcess again(dir.path());
  // Ready once its first heartbeat commits (each probe waits up to 1 s for it; on a
  // loaded machine the first one may miss that).
  bool ready = false;
  for (int i = 0; i < 20 && !ready; ++i) {
    ready = http_get(again.port(), "/readyz").status == 200;
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  CHECK(ready);
}
