// Retention of closed enforcement cases: after retention.case_anonymise_years (default
// 5) a closed case keeps only what the dashboard counts (category, path, states, area
// down to the buurt, team, dates and the history's states, inspections and official
// reports) and loses what still points at a place or a person: the case's address key
// and coordinates, its reports' address, house number (the postcode is cut to its four
// digits), coordinates, description, photo reference, free-text attributes and reporter
// link, and its history's notes, actors and inspectors' names. The reports' earlier
// retention (retention.report_days after closing) has cleared the reporter already.
//
// One writer job per call, at most `batch_cases` cases; `more` says there are more.
#pragma once

#include <cstdint>
#include <functional>

#include "store/store.hpp"

namespace buurtlijn::store {

struct CaseAnonymisation {
  std::int64_t cases = 0;    // cases anonymised by this call
  std::int64_t reports = 0;  // their reports
  std::int64_t events = 0;   // their history events
  bool more = false;
};

// Anonymises up to `batch_cases` closed cases closed before `closed_before`. Fails with
// invalid when `store` is not the SQLite store. `done` runs on the writer thread.
void anonymise_closed_cases(Store& store, Millis closed_before, std::int64_t batch_cases,
                            std::function<void(Result<CaseAnonymisation>)> done);

}  // namespace buurtlijn::store
