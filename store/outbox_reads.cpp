// See outbox_reads.hpp. The statement is released before the function returns.
#include "store/outbox_reads.hpp"

namespace buurtlijn::store {

Result<OutboxCounts> read_outbox_counts(SqliteConnection& db) {
  auto select = db.statement("SELECT status, count(*) FROM outbox GROUP BY status");
  if (!select) {
    return tl::unexpected(select.error());
  }
  auto& s = **select;
  OutboxCounts counts;
  for (;;) {
    auto row = s.step();
    if (!row) {
      return tl::unexpected(row.error());
    }
    if (!*row) {
      return counts;
    }
    const std::string status = s.column_text(0);
    const std::int64_t count = s.column_int64(1);
    if (status == "queued") {
      counts.queued = count;
    } else if (status == "inflight") {
      counts.inflight = count;
    } else if (status == "failed") {
      counts.failed = count;
    } else if (status == "dead") {
      counts.dead = count;
    }
  }
}

}  // namespace buurtlijn::store
