// Report photos on the gateway side: the "media" configuration section, the provider
// calls and their answers (connectors/media/provider_media.hpp), the SSRF allow-list,
// and the photo files (names, permissions, the sweep of unreferenced files).
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <fstream>
#include <thread>

#include "connectors/media/provider_media.hpp"
#include "gateway/config.hpp"
#include "gateway/photo_files.hpp"

using namespace buurtlijn;
using namespace buurtlijn::gateway;
namespace media = buurtlijn::connectors::media;

TEST_CASE("media config: the example file holds the defaults; bad values are refused by key") {
  auto example = load_config_file(std::string(BUURTLIJN_SOURCE_DIR) + "/buurtlijn.example.yaml");
  REQUIRE_MESSAGE(example, (example ? "" : example.error().describe()));
  const Config defaults;
  CHECK(example->media.enabled == defaults.media.enabled);
  CHECK(example->media.max_bytes == 10U * 1024 * 1024);
  CHECK(example->media.max_bytes == defaults.media.max_bytes);
  CHECK(example->media.whatsapp_hosts == defaults.media.whatsapp_hosts);
  CHECK(example->media.telegram_hosts == defaults.media.telegram_hosts);
  CHECK(example->media.download_timeout == defaults.media.download_timeout);
  CHECK(example->media.downloads_per_second == defaults.media.downloads_per_second);
  CHECK(example->retention.photo_days == 365);

  auto set = parse_config(
      "media:\n  max_bytes: 2048\n  whatsapp_hosts: [127.0.0.1]\n  enabled: false\n"
      "retention:\n  photo_days: 30\n");
  REQUIRE_MESSAGE(set, (set ? "" : set.error().describe()));
  CHECK(set->media.max_bytes == 2048);
  CHECK(set->media.whatsapp_hosts == std::vector<std::string>{"127.0.0.1"});
  CHECK_FALSE(set->media.enabled);
  CHECK(set->retention.photo_days == 30);

  const std::pair<const char*, const char*> refused[] = {
      {"media:\n  max_bytes: 10\n", "media.max_bytes"},
      {"media:\n  max_bytes: lots\n", "media.max_bytes"},
      {"media:\n  whatsapp_hosts: lookaside.fbsbx.com\n", "media.whatsapp_hosts"},
      {"media:\n  telegram_hosts: [\"https://api.telegram.org\"]\n", "media.telegram_hosts[0]"},
      {"media:\n  colour: red\n", "media.colour"},
      {"media:\n  enabled: maybe\n", "media.enabled"},
  };
  for (const auto& [yaml, key] : refused) {
    CAPTURE(yaml);
    auto config = parse_config(yaml);
    REQUIRE_FALSE(config);
    CHECK(config.error().key == key);
  }
}

TEST_CASE("media: the WhatsApp lookup and download calls and the lookup's answer") {
  connectors::whatsapp::Settings settings;
  settings.access_token = "wa-token";
  settings.api_base = "https://graph.facebook.com";
  const auto lookup = media::whatsapp_lookup_call(settings, "1479537139650973");
  CHECK(lookup.method == "GET");
  CHECK(lookup.url == "https://graph.facebook.com/v21.0/1479537139650973");
  REQUIRE(lookup.headers.size() == 1);
  CHECK(lookup.headers[0].second == "Bearer wa-token");
  // An id cannot escape its path segment.
  CHECK(media::whatsapp_lookup_call(settings, "../me?x=1").url ==
        "https://graph.facebook.com/v21.0/..%2Fme%3Fx%3D1");

  const auto located = media::parse_whatsapp_lookup(
      {200,
       R"({"messaging_product":"whatsapp","url":"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1479537139650973&ext=1","mime_type":"image/jpeg","sha256":"3f1c","file_size":30300,"id":"1479537139650973"})",
       std::nullopt});
  REQUIRE(located);
  CHECK(located->url.rfind("https://lookaside.fbsbx.com/", 0) == 0);
  CHECK(located->file_size == 30300U);
  const auto download = media::whatsapp_download_call(settings, located->url);
  CHECK(download.url == located->url);
  CHECK(download.headers[0].second == "Bearer wa-token");

  const auto expired = media::parse_whatsapp_lookup(
      {404, R"({"error":{"message":"Unsupported get request","code":100}})", std::nullopt});
  REQUIRE_FALSE(expired);
  CHECK_FALSE(expired.error().transient);
  const auto busy = media::parse_whatsapp_lookup({503, "", std::nullopt});
  REQUIRE_FALSE(busy);
  CHECK(busy.error().transient);
  const auto throttled = media::parse_whatsapp_lookup(
      {400, R"({"error":{"message":"throttled","code":130429}})", std::nullopt});
  REQUIRE_FALSE(throttled);
  CHECK(throttled.error().transient);
  CHECK_FALSE(media::parse_whatsapp_lookup({200, R"({"id":"1"})", std::nullopt}));
  CHECK_FALSE(media::parse_whatsapp_lookup({200, "not json", std::nullopt}));
}

TEST_CASE("media: the Telegram getFile call, its answer and an unsafe file_path") {
  connectors::telegram::Settings settings;
  settings.bot_token = "123:tg-token";
  settings.api_base = "https://api.telegram.org";
  CHECK(media::telegram_lookup_call(settings, "AgACAgQAAxkBAAIB").url ==
        "https://api.telegram.org/bot123:tg-token/getFile?file_id=AgACAgQAAxkBAAIB");
  const auto located = media::parse_telegram_lookup(
      settings,
      {200,
       R"({"ok":true,"result":{"file_id":"AgAC","file_unique_id":"AQAD","file_size":52311,"file_path":"photos/file_7.jpg"}})",
       std::nullopt});
  REQUIRE(located);
  CHECK(located->url == "https://api.telegram.org/file/bot123:tg-token/photos/file_7.jpg");
  CHECK(located->file_size == 52311U);
  CHECK(media::telegram_download_call(located->url).headers.empty());
  for (const char* path : {"../../etc/passwd", "/photos/x.jpg", "photos/x.jpg?y", "a@b/x.jpg"}) {
    CAPTURE(path);
    const std::string body = std::string(R"({"ok":true,"result":{"file_path":")") + path + R"("}})";
    const auto refused = media::parse_telegram_lookup(settings, {200, body, std::nullopt});
    REQUIRE_FALSE(refused);
    CHECK_FALSE(refused.error().transient);
  }
  const auto limited = media::parse_telegram_lookup(
      settings, {429, R"({"ok":false,"error_code":429})", std::nullopt});
  REQUIRE_FALSE(limited);
  CHECK(limited.error().transient);
}

TEST_CASE("media: a download URL must be https on an allow-listed host") {
  const media::UrlPolicy production{{"lookaside.fbsbx.com", "graph.facebook.com"}, false};
  CHECK_FALSE(media::refuse_url("https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",
                                production));
  CHECK_FALSE(media::refuse_url("https://LOOKASIDE.fbsbx.com/x", production));
  const char* refused[] = {
      "http://lookaside.fbsbx.com/x",                // not https
      "https://lookaside.fbsbx.com.evil.example/x",  // suffix trick
      "https://evil.example/lookaside.fbsbx.com",    // host elsewhere
      "https://lookaside.fbsbx.com@evil.example/x",  // user info
      "https://169.254.169.254/latest/meta-data/",   // cloud metadata
      "http://127.0.0.1:8080/admin/",                // loopback without the test base
      "file:///etc/passwd",                          // another scheme
      "gopher://lookaside.fbsbx.com/x",              // another scheme
      "lookaside.fbsbx.com/x",                       // not absolute
  };
  for (const char* url : refused) {
    CAPTURE(url);
    CHECK(media::refuse_url(url, production));
  }
  // The tests' fake: plain http on the loopback address only, and only that host.
  const media::UrlPolicy test{{"127.0.0.1"}, true};
  CHECK_FALSE(media::refuse_url("http://127.0.0.1:4711/files/a.jpg", test));
  CHECK(media::refuse_url("http://localhost:4711/files/a.jpg", test));
  CHECK(media::refuse_url("http://10.0.0.1/files/a.jpg", test));
  CHECK(media::is_loopback_http_base("http://127.0.0.1:4711"));
  CHECK_FALSE(media::is_loopback_http_base("https://graph.facebook.com"));
  CHECK_FALSE(media::is_loopback_http_base("http://graph.facebook.com"));
}

TEST_CASE("photo files: random names, 0600, read back, and the sweep of unreferenced files") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("buurtlijn-photos-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto first = write_photo(dir, "first");
  const auto second = write_photo(dir, "second");
  REQUIRE(first);
  REQUIRE(second);
  CHECK(is_photo_id(*first));
  CHECK(*first != *second);
  struct stat info {};
  REQUIRE(::stat((dir / *first).c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(::stat(dir.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
  CHECK(read_photo(dir, *first) == "first");
  CHECK_FALSE(read_photo(dir, "../buurtlijn.db"));
  CHECK_FALSE(read_photo(dir, std::string(32, 'x')));
  CHECK(stored_photo_id("photo:" + *first) == *first);
  CHECK_FALSE(stored_photo_id("refused:too_large"));
  CHECK_FALSE(stored_photo_id("1479537139650973"));
  std::ofstream(dir / "README") << "not a photo";

  // Young files are spared (a job may be about to commit its reference).
  CHECK(sweep_photos(dir, {*first}, std::chrono::seconds(3600)) == 0);
  CHECK(sweep_photos(dir, {*first}, std::chrono::seconds(0)) == 1);
  CHECK(std::filesystem::exists(dir / *first));
  CHECK_FALSE(std::filesystem::exists(dir / *second));
  CHECK(std::filesystem::exists(dir / "README"));
  CHECK(delete_photo(dir, *first));
  CHECK_FALSE(delete_photo(dir, *first));
  std::filesystem::remove_all(dir);
}
