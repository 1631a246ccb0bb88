// Report photos end to end against the real server and a fake WhatsApp Graph API: a
// resident reports with a location pin and an image; the outbox's media job looks the
// media up, downloads it from the URL the lookup answered, strips its metadata and stores
// it under <data_dir>/photos/. Then the bad cases: a 30 MB body is cut off while it
// streams, a text file served as image/jpeg is refused, and a URL on a host that is not
// allow-listed is never contacted; each time the report is kept without its photo and
// the reporter gets one "could not use your photo" message in Romanian. The console
// serves a stored photo only to a logged-in user.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "cli_runner.hpp"
#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "provider_payloads.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

std::string source_dir() {
  const char* dir = std::getenv("BUURTLIJN_SOURCE_DIR");
  REQUIRE(dir != nullptr);
  return dir;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string fixture(const std::string& name) {
  return read_file(std::filesystem::path(source_dir()) / "tests/fixtures/media" / name);
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::string whatsapp_message(const std::string& from, json::object message) {
  message["from"] = from;
  message["timestamp"] = "1764281234";
  json::object metadata{{"display_phone_number", "15550783881"},
                        {"phone_number_id", provider::kPhoneNumberId}};
  json::object value{
      {"messaging_product", "whatsapp"},
      {"metadata", metadata},
      {"contacts",
       json::array{json::object{{"profile", json::object{{"name", "Ioana"}}}, {"wa_id", from}}}},
      {"messages", json::array{message}}};
  json::object change{{"field", "messages"}, {"value", value}};
  json::object entry{{"id", "102290129340398"}, {"changes", json::array{change}}};
  return json::serialize(
      json::object{{"object", "whatsapp_business_account"}, {"entry", json::array{entry}}});
}

std::string whatsapp_location(const std::string& from, const std::string& id) {
  return whatsapp_message(
      from, json::object{{"id", id},
                         {"type", "location"},
                         {"location", json::object{{"latitude", 52.2401}, {"longitude", 6.1601}}}});
}

std::string whatsapp_image(const std::string& from, const std::string& id,
                           const std::string& media_id) {
  return whatsapp_message(from, json::object{{"id", id},
                                             {"type", "image"},
                                             {"image", json::object{{"id", media_id},
                                                                    {"mime_type", "image/jpeg"},
                                                                    {"sha256", "3f1c"}}}});
}

std::string telegram_update(std::int64_t update_id, std::int64_t chat_id, json::object fields) {
  fields["message_id"] = update_id % 100000 + 1;
  fields["from"] = json::object{{"id", chat_id}, {"is_bot", false}, {"first_name", "Olena"}};
  fields["chat"] = json::object{{"id", chat_id}, {"first_name", "Olena"}, {"type", "private"}};
  fields["date"] = 1764282200;
  return json::serialize(json::object{{"update_id", update_id}, {"message", fields}});
}

std::size_t replies_to(const FakeProvider& fake, const std::string& to) {
  std::size_t count = 0;
  for (const RecordedRequest& request : fake.requests()) count += request.to == to ? 1 : 0;
  return count;
}

std::vector<std::string> texts_to(const FakeProvider& fake, const std::string& to) {
  std::vector<std::string> texts;
  for (const RecordedRequest& request : fake.requests()) {
    if (request.to == to) texts.push_back(request.text);
  }
  return texts;
}

template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// Posts a webhook from `from` and waits until `from` has had `replies` replies in all.
void say(const ServerProcess& server, const FakeProvider& fake, const std::string& from,
         const std::string& body, std::size_t replies) {
  REQUIRE(provider::post_whatsapp(server.port(), body).status == 200);
  REQUIRE(eventually([&] { return replies_to(fake, from) >= replies; }));
}

// The Romanian report conversation (as in report_conversation_test) with a photo whose
// provider media id is `media_id`; returns the report's public number.
std::string report_with_photo(const ServerProcess& server, const FakeProvider& fake,
                              const std::string& from, const std::string& media_id) {
  const std::string id = "wamid." + from + ".";
  say(server, fake, from, provider::whatsapp_text(from, id + "1", "Bună ziua"), 1);
  say(server, fake, from, provider::whatsapp_text(from, id + "2", "4"), 3);  // report
  say(server, fake, from, provider::whatsapp_text(from, id + "3", "1"), 4);  // bags
  say(server, fake, from, provider::whatsapp_text(from, id + "4", "1"), 5);  // residual
  say(server, fake, from, whatsapp_location(from, id + "5"), 6);
  say(server, fake, from, whatsapp_image(from, id + "6", media_id), 7);
  say(server, fake, from, provider::whatsapp_text(from, id + "7", "saci de trei zile"), 8);
  say(server, fake, from, provider::whatsapp_text(from, id + "8", "1"), 9);  // updates
  const std::string confirmation = texts_to(fake, from).back();
  std::smatch match;
  REQUIRE_MESSAGE(std::regex_search(confirmation, match, std::regex("numărul ([0-9]+)")),
                  confirmation);
  return match[1].str();
}

std::string header(const HttpResult& result, const std::string& name) {
  const auto found = result.headers.find(name);
  return found == result.headers.end() ? std::string() : found->second;
}

bool no_photo_files(const TempDir& dir) {
  const auto photos = dir.path() / "photos";
  return !std::filesystem::exists(photos) || std::filesystem::is_empty(photos);
}

std::string photo_ref(const TempDir& dir, const std::string& number) {
  const auto rows =
      query_rows(dir.path(), "SELECT photo_ref FROM reports WHERE public_number = " + number);
  REQUIRE(rows.size() == 1);
  return rows[0][0];
}

std::string write_config(const TempDir& dir) {
  const auto path = dir.path() / "photos.yaml";
  std::ofstream(path) << "media:\n  whatsapp_hosts: [\"127.0.0.1\"]\n"
                         "  telegram_hosts: [\"127.0.0.1\"]\n"
                         "  max_bytes: 2097152\n"
                         "outbox:\n  initial_backoff_ms: 100\n";
  return path.string();
}

// The illustrative Deventer areas, imported before the server starts.
void import_areas(const TempDir& dir) {
  const auto areas = import_illustrative_areas(dir, dir.path().string());
  REQUIRE_MESSAGE(areas.exit_code == 0, areas.err);
}

// Logs in to the console as a new enforcement user; returns the session cookie.
std::string console_session(const TempDir& dir, const ServerProcess& server) {
  const auto password_file = dir.path() / "password.txt";
  std::ofstream(password_file) << "correct horse battery staple\n";
  const std::string command =
      "\"" + buurtlijn_binary() +
      "\" admin add-user --name inspecteur --role enforcement --data-dir \"" + dir.path().string() +
      "\" < \"" + password_file.string() + "\" > /dev/null 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  const HttpResult login = http_request(server.port(), http::verb::post, "/admin/login",
                                        "name=inspecteur&password=correct+horse+battery+staple",
                                        {{"Content-Type", "application/x-www-form-urlencoded"}});
  REQUIRE(login.status == 303);
  const auto cookie = login.headers.find("Set-Cookie");
  REQUIRE(cookie != login.headers.end());
  return cookie->second.substr(0, cookie->second.find(';'));
}

}  // namespace

TEST_CASE(
    "report photos: fetched through the WhatsApp and Telegram APIs, stripped, stored, shown") {
  TempDir dir;
  FakeProvider fake;
  FakeProvider elsewhere;  // a host that is not allow-listed: must never be contacted
  const std::string jpeg = fixture("gps_exif.jpg");
  REQUIRE(contains(jpeg, std::string_view("Exif\0\0", 6)));
  constexpr std::size_t kHuge = 30U * 1024 * 1024;
  const std::string base = fake.base_url();
  const std::string other = "http://localhost:" + std::to_string(elsewhere.port());
  fake.set_responder([&](const RecordedRequest& request, int) {
    FakeAnswer answer;
    const auto lookup = [&](const std::string& url, std::size_t claimed_size) {
      answer.body = json::serialize(json::object{{"messaging_product", "whatsapp"},
                                                 {"url", url},
                                                 {"mime_type", "image/jpeg"},
                                                 {"sha256", "3f1c"},
                                                 {"file_size", claimed_size},
                                                 {"id", request.target.substr(7)}});
    };
    if (request.method != "GET") return answer;  // messages: the default 200
    if (request.target == "/v21.0/media-gps") lookup(base + "/files/gps.jpg", jpeg.size());
    if (request.target == "/v21.0/media-huge") lookup(base + "/files/huge.jpg", 4000);  // a lie
    if (request.target == "/v21.0/media-text") lookup(base + "/files/text.jpg", 46);
    if (request.target == "/v21.0/media-elsewhere") lookup(other + "/files/gps.jpg", 4000);
    if (request.target == "/files/gps.jpg") {
      answer.body = jpeg;
      answer.headers["Content-Type"] = "image/jpeg";
    }
    if (request.target == "/files/huge.jpg") answer.stream_bytes = kHuge;
    if (request.target == "/bot123:tg-token/getFile?file_id=tg-photo-1") {
      answer.body = R"({"ok":true,"result":{"file_id":"tg-photo-1","file_unique_id":"AQADl",)"
                    R"("file_size":6811,"file_path":"photos/file_1.png"}})";
    }
    if (request.target == "/file/bot123:tg-token/photos/file_1.png") {
      answer.body = fixture("gps_text.png");
      answer.headers["Content-Type"] = "application/octet-stream";
    }
    if (request.target == "/files/text.jpg") {
      answer.body = fixture("not_an_image.txt");
      answer.headers["Content-Type"] = "image/jpeg";
    }
    return answer;
  });

  import_areas(dir);
  ServerProcess server(dir.path(), {"--config", write_config(dir)},
                       provider::channel_environment(base));

  SUBCASE("a real JPEG with GPS EXIF is stored without it and shown to a logged-in user") {
    const std::string from = "40700000001";
    const std::string number = report_with_photo(server, fake, from, "media-gps");
    REQUIRE(eventually([&] { return photo_ref(dir, number).rfind("photo:", 0) == 0; }));
    const std::string id = photo_ref(dir, number).substr(6);
    CHECK(std::regex_match(id, std::regex("[0-9a-f]{32}")));

    // Both calls carried the bearer token; the lookup went to the Graph API path.
    bool looked_up = false;
    bool downloaded = false;
    for (const RecordedRequest& request : fake.requests()) {
      if (request.target == "/v21.0/media-gps" || request.target == "/files/gps.jpg") {
        CHECK(request.headers.at("authorization") == "Bearer wa-token");
        looked_up = looked_up || request.target == "/v21.0/media-gps";
        downloaded = downloaded || request.target == "/files/gps.jpg";
      }
    }
    CHECK(looked_up);
    CHECK(downloaded);

    // The file: random name, 0600, a JPEG without EXIF, GPS or the marker text.
    const auto file = dir.path() / "photos" / id;
    struct stat info {};
    REQUIRE(::stat(file.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    const std::string stored = read_file(file);
    CHECK(stored.substr(0, 3) == "\xFF\xD8\xFF");
    CHECK(stored.substr(stored.size() - 2) == "\xFF\xD9");
    CHECK_FALSE(contains(stored, "Exif"));
    CHECK_FALSE(contains(stored, "Marker-Jansen-Rivierenwijk"));
    CHECK_FALSE(contains(stored, "http://ns.adobe.com"));
    CHECK(stored.size() < jpeg.size());
    // The provider's media id is gone from the report and from the job's outbox item.
    CHECK(count_rows(dir.path(),
                     "SELECT count(*) FROM reports WHERE photo_ref LIKE "
                     "'%media-gps%'") == 0);
    CHECK(eventually([&] {
      return count_rows(dir.path(),
                        "SELECT count(*) FROM outbox WHERE channel = 'media' AND "
                        "(payload LIKE '%media-gps%' OR subject_id IS NOT NULL)") == 0;
    }));
    // No "could not use your photo" message: the confirmation was the last reply.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(replies_to(fake, from) == 9);

    // The console: refused without a login, served with one.
    const HttpResult anonymous = http_get(server.port(), "/admin/photos/" + id);
    CHECK(anonymous.status == 303);
    CHECK(header(anonymous, "Location") == "/admin/login");
    CHECK(anonymous.body.find("\xFF\xD8") == std::string::npos);
    const std::string cookie = console_session(dir, server);
    const HttpResult shown = http_request(server.port(), http::verb::get, "/admin/photos/" + id, {},
                                          {{"Cookie", cookie}});
    CHECK(shown.status == 200);
    CHECK(shown.body == stored);
    CHECK(header(shown, "Content-Type") == "image/jpeg");
    CHECK(header(shown, "X-Content-Type-Options") == "nosniff");
    CHECK(header(shown, "Cache-Control") == "private, no-store");
    const HttpResult unknown =
        http_request(server.port(), http::verb::get,
                     "/admin/photos/0123456789abcdef0123456789abcdef", {}, {{"Cookie", cookie}});
    CHECK(unknown.status == 404);
    // The case page links to it.
    const std::string case_id = std::to_string(
        count_rows(dir.path(), "SELECT case_id FROM reports WHERE public_number = " + number));
    const HttpResult page = http_request(server.port(), http::verb::get,
                                         "/admin/case?id=" + case_id, {}, {{"Cookie", cookie}});
    CHECK(page.status == 200);
    CHECK(contains(page.body, "/admin/photos/" + id));

    // `gdpr export` says a photo exists (type and size), never its bytes.
    const std::string subject =
        query_rows(dir.path(),
                   "SELECT s.pseudonym FROM reports r JOIN subjects s ON s.id = r.subject_id WHERE "
                   "r.public_number = " +
                       number)[0][0];
    const auto exported = run_buurtlijn(
        dir, {"gdpr", "export", "--subject", subject, "--data-dir", dir.path().string()});
    REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
    const json::value document = json::parse(exported.out);
    const json::array& photos = document.at("photos").as_array();
    REQUIRE(photos.size() == 1);
    CHECK(photos[0].at("type").as_string() == "image/jpeg");
    CHECK(photos[0].at("bytes").as_int64() == static_cast<std::int64_t>(stored.size()));
    CHECK_FALSE(contains(exported.out, std::string_view("\xFF\xD8\xFF", 3)));

    // Erasing the reporter's data takes the photo file with it.
    const auto erased = run_buurtlijn(
        dir, {"gdpr", "erase", "--subject", subject, "--data-dir", dir.path().string()});
    REQUIRE_MESSAGE(erased.exit_code == 0, erased.err);
    CHECK(json::parse(erased.out).at("erased").at("photos").as_int64() == 1);
    CHECK_FALSE(std::filesystem::exists(file));
    CHECK(photo_ref(dir, number).empty());
  }

  SUBCASE("an erasure asked for in the chat deletes the stored photo at once") {
    const std::string from = "40700000006";
    const std::string number = report_with_photo(server, fake, from, "media-gps");
    REQUIRE(eventually([&] { return photo_ref(dir, number).rfind("photo:", 0) == 0; }));
    const auto file = dir.path() / "photos" / photo_ref(dir, number).substr(6);
    REQUIRE(std::filesystem::exists(file));
    const std::string id = "wamid." + from + ".erase.";
    say(server, fake, from, provider::whatsapp_text(from, id + "1", "șterge datele mele"), 10);
    say(server, fake, from, provider::whatsapp_text(from, id + "2", "Da"), 11);
    // Gone when the farewell is sent, not at the next retention sweep (an hour away).
    CHECK_FALSE(std::filesystem::exists(file));
    CHECK(photo_ref(dir, number).empty());
    CHECK(count_rows(dir.path(), "SELECT count(*) FROM reports WHERE public_number = " + number) ==
          1);
  }

  SUBCASE("a 30 MB body is cut off while it streams; the report stays, the reporter is told") {
    const std::string from = "40700000002";
    const std::string number = report_with_photo(server, fake, from, "media-huge");
    REQUIRE(eventually([&] { return photo_ref(dir, number) == "refused:too_large"; }));
    REQUIRE(eventually([&] {
      const auto streams = fake.streams();
      return !streams.empty() && streams.back().finished;
    }));
    const StreamRecord stream = fake.streams().back();
    MESSAGE("bytes of the 30 MB body written before the cut: " << stream.bytes_written);
    CHECK_FALSE(stream.completed);
    // The cap (media.max_bytes: 2 MiB here) plus at most what the loopback socket buffers
    // hold (tcp_rmem + tcp_wmem maxima, 10 MiB on Debian); never the 30 MB.
    CHECK(stream.bytes_written <= 2U * 1024 * 1024 + 10U * 1024 * 1024);
    CHECK(stream.bytes_written < kHuge);
    REQUIRE(eventually([&] { return replies_to(fake, from) == 10; }));
    CHECK(texts_to(fake, from).back() ==
          "Sesizarea " + number +
              ": nu am putut folosi fotografia dumneavoastră: fișierul este prea mare. Sesizarea "
              "(melding) în sine este salvată.");
    CHECK(count_rows(dir.path(), "SELECT count(*) FROM reports WHERE public_number = " + number +
                                     " AND description = 'saci de trei zile'") == 1);
    CHECK(no_photo_files(dir));
  }

  SUBCASE("a text file served as image/jpeg is refused as not an image") {
    const std::string from = "40700000003";
    const std::string number = report_with_photo(server, fake, from, "media-text");
    REQUIRE(eventually([&] { return photo_ref(dir, number) == "refused:not_an_image"; }));
    REQUIRE(eventually([&] { return replies_to(fake, from) == 10; }));
    CHECK(contains(texts_to(fake, from).back(), "nu este o fotografie"));
    CHECK(no_photo_files(dir));
  }

  SUBCASE("a media URL on a host that is not allow-listed is refused without a connection") {
    const std::string from = "40700000004";
    const std::string number = report_with_photo(server, fake, from, "media-elsewhere");
    REQUIRE(eventually([&] { return photo_ref(dir, number) == "refused:not_allowed"; }));
    REQUIRE(eventually([&] { return replies_to(fake, from) == 10; }));
    CHECK(contains(texts_to(fake, from).back(), "nu am putut folosi fotografia"));
    CHECK(elsewhere.requests().empty());
    CHECK(server.wait_for_log("media.url_refused", std::chrono::seconds(1)));
  }

  SUBCASE("Telegram: getFile, then the file path on the API host; a PNG loses its text chunks") {
    const std::int64_t chat = 5512345678;
    const std::string to = std::to_string(chat);
    std::int64_t update = 918273600;
    const auto tell = [&](const std::string& body, std::size_t replies) {
      REQUIRE(provider::post_telegram(server.port(), body).status == 200);
      REQUIRE(
          eventually([&] { return replies_to(fake, to) >= replies; }, std::chrono::seconds(30)));
    };
    tell(provider::telegram_text(++update, chat, "Bună ziua"), 1);
    tell(provider::telegram_text(++update, chat, "4"), 3);
    tell(provider::telegram_text(++update, chat, "1"), 4);
    tell(provider::telegram_text(++update, chat, "1"), 5);
    tell(
        telegram_update(++update, chat,
                        {{"location", json::object{{"latitude", 52.2401}, {"longitude", 6.1601}}}}),
        6);
    tell(telegram_update(++update, chat,
                         {{"photo", json::array{json::object{{"file_id", "tg-photo-small"},
                                                             {"file_unique_id", "AQADs"},
                                                             {"file_size", 1530},
                                                             {"width", 90},
                                                             {"height", 67}},
                                                json::object{{"file_id", "tg-photo-1"},
                                                             {"file_unique_id", "AQADl"},
                                                             {"file_size", 6811},
                                                             {"width", 64},
                                                             {"height", 48}}}}}),
         7);
    tell(provider::telegram_text(++update, chat, "saci de trei zile"), 8);
    tell(provider::telegram_text(++update, chat, "1"), 9);
    const std::string confirmation = texts_to(fake, to).back();
    std::smatch match;
    REQUIRE_MESSAGE(std::regex_search(confirmation, match, std::regex("numărul ([0-9]+)")),
                    confirmation);
    const std::string number = match[1].str();
    REQUIRE(eventually([&] { return photo_ref(dir, number).rfind("photo:", 0) == 0; }));
    const std::string stored = read_file(dir.path() / "photos" / photo_ref(dir, number).substr(6));
    CHECK(stored.substr(0, 8) == "\x89PNG\r\n\x1a\n");
    CHECK_FALSE(contains(stored, "tEXt"));
    CHECK_FALSE(contains(stored, "eXIf"));
    CHECK_FALSE(contains(stored, "Marker-Jansen-Rivierenwijk"));
    // The largest size was fetched, through getFile, without any bearer header.
    bool fetched = false;
    for (const RecordedRequest& request : fake.requests()) {
      if (request.target == "/file/bot123:tg-token/photos/file_1.png") {
        fetched = true;
        CHECK(request.headers.count("authorization") == 0);
      }
    }
    CHECK(fetched);
  }
}

TEST_CASE("report photos: with media.enabled false the reference is kept and nothing is fetched") {
  TempDir dir;
  FakeProvider fake;
  import_areas(dir);
  const auto config = dir.path() / "no-photos.yaml";
  std::ofstream(config) << "media:\n  enabled: false\n  whatsapp_hosts: [\"127.0.0.1\"]\n";
  ServerProcess server(dir.path(), {"--config", config.string()},
                       provider::channel_environment(fake.base_url()));

  const std::string number = report_with_photo(server, fake, "40700000009", "media-kept");
  // The report holds the provider's reference, as sent; no media job waits for it.
  CHECK(contains(photo_ref(dir, number), "media-kept"));
  CHECK(count_rows(dir.path(), "SELECT count(*) FROM outbox WHERE channel = 'media'") == 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (const RecordedRequest& request : fake.requests()) CHECK(request.method != "GET");
  CHECK(no_photo_files(dir));
}
