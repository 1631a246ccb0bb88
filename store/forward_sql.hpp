// Internal to store/: queues the forwards of a new case (NewReport::forwards) in the
// outbox and in case_forwards, inside write_report's savepoint; and reads them back.
#pragma once

#include "store/case_store.hpp"
#include "store/sqlite_connection.hpp"

namespace buurtlijn::store {

// `subject_id` is the reporter's subject (0: anonymous).
Result<void> queue_forwards(SqliteConnection& db, const NewReport& report,
                            const ReportCreated& created, std::int64_t subject_id);

}  // namespace buurtlijn::store
