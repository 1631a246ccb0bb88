// Retention: deletes personal data whose retention period has passed (see
// docs/privacy.md for the periods and why). One call deletes at most `batch_rows` rows
// of each kind, so the writer is never held for long; the caller repeats while
// `RetentionOutcome::more` says there is more. Runs on the writer thread as one job.
#pragma once

#include "store/sqlite_connection.hpp"
#include "store/store.hpp"

namespace buurtlijn::store {

Result<RetentionOutcome> write_retention(SqliteConnection& db, const RetentionPolicy& policy,
                                         Millis now);

}  // namespace buurtlijn::store
