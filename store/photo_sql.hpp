// Internal to store/: the SQL of report photos (see CaseStore's photo methods and
// gateway/media_jobs.hpp). A photo lives in reports.photo_ref: the provider's media id
// while it waits to be fetched, "photo:<id>" once stored (the file is
// <data_dir>/photos/<id>), "refused:<reason>" when it could not be used, '' when gone.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/case_store.hpp"
#include "store/sqlite_connection.hpp"

namespace buurtlijn::store {

// Queues the "media" outbox item of `report.media` inside write_report's savepoint.
Result<void> queue_media(SqliteConnection& db, const NewReport& report,
                         const ReportCreated& created);
Result<bool> write_attach_report_photo(SqliteConnection& db, const ReportPhoto& photo);
Result<std::vector<std::string>> write_expire_photos(SqliteConnection& db, Millis created_before);
Result<std::vector<std::string>> read_referenced_photo_ids(SqliteConnection& db);
Result<std::optional<std::int64_t>> read_case_of_photo(SqliteConnection& db, const std::string& id);

}  // namespace buurtlijn::store
