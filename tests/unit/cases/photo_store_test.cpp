// Report photos in the store: the "media" outbox item queued with the report, the end of
// a photo job (attach_report_photo: the reference swapped only while the report still
// holds the provider's id, the item scrubbed, the sender told on their channel), the
// photo reads and the retention of photos.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "cases/case_service.hpp"
#include "store/case_store.hpp"
#include "tests/unit/store/test_support.hpp"

namespace {

using namespace buurtlijn;
using store::testing::query_int;
using store::testing::TempDir;
using store::testing::wait_for;

constexpr std::int64_t kNoon = 1'795'780'800'000;

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

cases::AreaMap deventer() {
  auto map = cases::AreaMap::from_geojson(
      read_file(std::string(BUURTLIJN_SOURCE_DIR) + "/data/areas/deventer-illustrative.geojson"));
  REQUIRE(map);
  return std::move(*map);
}

struct PhotoFixture {
  TempDir dir;
  std::unique_ptr<store::Store> db;
  cases::AreaMap areas = deventer();
  cases::CasesSettings settings;
  std::mt19937_64 random{7};

  PhotoFixture() {
    auto opened = store::open_sqlite_store(store::testing::options_for(dir));
    REQUIRE(opened);
    db = std::move(*opened);
  }

  store::ReportCreated report(const std::string& subject, const std::string& media_id,
                              std::int64_t at = kNoon) {
    cases::ReportInput input;
    input.category = "noise";
    input.location = cases::GeoPoint{52.2401, 6.1601};
    input.language = "ro";
    input.channel = "whatsapp";
    input.source = "chat";
    input.photo_ref = media_id;
    input.subject_pseudonym = subject;
    input.wants_updates = !subject.empty();
    input.at_ms = at;
    auto planned = cases::plan_report(input, areas, settings, db->cases(), random);
    REQUIRE(planned);
    planned->write.media = store::QueuedMedia{
        R"({"channel":"whatsapp","media_id":")" + media_id + R"(","lang":"ro"})", "subject-ro"};
    auto created = wait_for<store::ReportCreated>(
        [&](auto done) { db->cases().create_report(planned->write, done); });
    REQUIRE(created);
    return *created;
  }

  std::int64_t count(const std::string& sql) {
    return query_int(store::testing::options_for(dir).path, sql);
  }
};

}  // namespace

TEST_CASE(
    "photo store: a report with a provider photo queues one media job; its end is recorded once") {
  PhotoFixture f;
  const store::ReportCreated created = f.report("subject-ro", "1479537139650973");
  const std::string report = std::to_string(created.report_id);
  CHECK(f.count("SELECT count(*) FROM outbox WHERE channel = 'media' AND status = 'queued' AND "
                "subject_id IS NOT NULL AND json_extract(payload, '$.report_id') = " +
                report + " AND json_extract(payload, '$.report_number') = " +
                std::to_string(created.public_number) +
                " AND json_extract(payload, '$.media_id') = '1479537139650973'") == 1);
  const std::int64_t item = f.count("SELECT id FROM outbox WHERE channel = 'media'");

  // A job for a report that no longer holds that media id changes nothing on the report.
  store::ReportPhoto stale;
  stale.report_id = created.report_id;
  stale.media_item_id = item;
  stale.expected_ref = "another-media-id";
  stale.photo_ref = "photo:0123456789abcdef0123456789abcdef";
  stale.channel = "whatsapp";
  stale.message_payload = R"({"text":"x"})";
  stale.at = kNoon;
  auto changed = wait_for<bool>([&](auto done) { f.db->cases().attach_report_photo(stale, done); });
  REQUIRE(changed);
  CHECK_FALSE(*changed);
  CHECK(f.count("SELECT count(*) FROM reports WHERE photo_ref = '1479537139650973'") == 1);
  // ... but the item's media id and subject are gone all the same, and nobody is told.
  CHECK(f.count("SELECT count(*) FROM outbox WHERE id = " + std::to_string(item) +
                " AND payload = '{}' AND subject_id IS NULL") == 1);
  CHECK(f.count("SELECT count(*) FROM outbox WHERE channel = 'whatsapp'") == 0);
}

TEST_CASE("photo store: a refused photo tells the sender; a stored one is found by its id") {
  PhotoFixture f;
  const store::ReportCreated refused = f.report("subject-ro", "media-1");
  const store::ReportCreated stored = f.report("", "media-2", kNoon + 1000);  // anonymous report
  const auto item_of = [&](const store::ReportCreated& created) {
    return f.count(
        "SELECT id FROM outbox WHERE channel = 'media' AND "
        "json_extract(payload, '$.report_id') = " +
        std::to_string(created.report_id));
  };

  store::ReportPhoto no;
  no.report_id = refused.report_id;
  no.media_item_id = item_of(refused);
  no.expected_ref = "media-1";
  no.photo_ref = "refused:too_large";
  no.channel = "whatsapp";
  no.message_payload = R"({"text":"too large","lang":"ro"})";
  no.message_text = "too large";
  no.at = kNoon + 5000;
  auto changed = wait_for<bool>([&](auto done) { f.db->cases().attach_report_photo(no, done); });
  REQUIRE(changed);
  CHECK(*changed);
  CHECK(f.count("SELECT count(*) FROM reports WHERE photo_ref = 'refused:too_large'") == 1);
  CHECK(f.count("SELECT count(*) FROM outbox o JOIN subjects s ON s.id = o.subject_id WHERE "
                "o.channel = 'whatsapp' AND o.status = 'queued' AND s.pseudonym = 'subject-ro' "
                "AND o.payload LIKE '%too large%'") == 1);

  // The anonymous report's photo: the sender was still known to the job (to be told).
  const std::string id = "0123456789abcdef0123456789abcdef";
  store::ReportPhoto yes;
  yes.report_id = stored.report_id;
  yes.media_item_id = item_of(stored);
  yes.expected_ref = "media-2";
  yes.photo_ref = "photo:" + id;
  yes.channel = "whatsapp";
  yes.at = kNoon + 6000;
  changed = wait_for<bool>([&](auto done) { f.db->cases().attach_report_photo(yes, done); });
  REQUIRE(changed);
  CHECK(*changed);
  CHECK(f.count("SELECT count(*) FROM outbox WHERE channel = 'media' AND "
                "(payload <> '{}' OR subject_id IS NOT NULL)") == 0);
  auto ids = f.db->cases().referenced_photo_ids();
  REQUIRE(ids);
  CHECK(*ids == std::vector<std::string>{id});
  auto case_id = f.db->cases().case_of_photo(id);
  REQUIRE(case_id);
  CHECK(*case_id == stored.case_id);
  auto none = f.db->cases().case_of_photo("ffffffffffffffffffffffffffffffff");
  REQUIRE(none);
  CHECK_FALSE(*none);

  // Retention: photos of reports made before the cut-off are forgotten, and named.
  auto kept = wait_for<std::vector<std::string>>(
      [&](auto done) { f.db->cases().expire_photos(kNoon, done); });
  REQUIRE(kept);
  CHECK(kept->empty());
  auto expired = wait_for<std::vector<std::string>>(
      [&](auto done) { f.db->cases().expire_photos(kNoon + 2000, done); });
  REQUIRE(expired);
  CHECK(*expired == std::vector<std::string>{id});
  CHECK(f.count("SELECT count(*) FROM reports WHERE photo_ref LIKE 'photo:%'") == 0);
}
