// The store's side of nuisance reports and enforcement cases: rows in, rows out. The
// decisions (area, route, grouping, allowed transitions, texts) are made by cases/ and
// the gateway before a write; a write re-checks only what can change meanwhile (the
// case is still open, still in the state the decision was made from). No business
// rules here.
//
// Thread safety: as Store (reads on the calling thread, writes group-committed by the
// writer thread, `done` runs there).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace buurtlijn::store {

struct AreaColumns {
  std::string wijk_code;
  std::string wijk_name;
  std::string buurt_code;
  std::string buurt_name;
};

// A forward of a new case to its team's other system (gateway/forwarders.hpp), queued
// in the outbox in the same transaction as the case. The write sets "case_id" and
// "report_number" in the payload; the reporter's contact address reaches the item only
// when `with_reporter_contact` (the team's configuration says so).
struct QueuedForward {
  std::string channel;  // "email" or "open311"
  std::string payload_json;
  bool with_reporter_contact = false;
};

// A photo a reporter sent through WhatsApp or Telegram, fetched later by the outbox's
// "media" channel (gateway/media_jobs.hpp): queued in the same transaction as the report.
// The item carries the chatting subject (for the "could not use your photo" message) even
// when the report is anonymous; the link goes when the job finishes (attach_report_photo).
struct QueuedMedia {
  std::string payload_json;       // {"channel","media_id","lang"}; the write adds "report_id"
  std::string subject_pseudonym;  // who sent it; empty: nobody to tell
};

// The end of a photo job: the report's photo_ref becomes `photo_ref` ("photo:<id>" for a
// stored photo, "refused:<reason>" otherwise) if it still holds `expected_ref` (else the
// report was erased or purged meanwhile and nothing changes). The job's outbox item loses
// its payload and subject in any case. With `message_payload`, the subject of the item is
// told on `channel` (one reply, in the report's language).
struct ReportPhoto {
  std::int64_t report_id = 0;
  std::int64_t media_item_id = 0;
  std::string expected_ref;
  std::string photo_ref;
  std::string channel;
  std::string message_payload;  // empty: no message
  std::string message_text;
  Millis at = 0;
};

// A new report and, when it does not join an open case, the case it opens.
struct NewReport {
  std::string category;
  AreaColumns area;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::string address;      // as given (typed address or Open311 address_string)
  std::string address_key;  // normalised, for grouping; may be empty
  std::string postcode;
  std::string description;
  std::string photo_ref;
  std::string language;
  std::string subject_pseudonym;  // empty: anonymous
  std::string contact_address;    // optional raw reply address (kept once per subject)
  std::string channel;            // the reporter's channel ("open311" for the API)
  bool wants_updates = false;
  std::string source;                  // chat, open311, cli
  std::string attributes_json = "{}";  // answers to the category's follow-up questions
  Millis at = 0;
  // "<channel>:<provider message id>" that completed the report, or empty. A second write
  // with the same value is a redelivery: it returns the first report and writes nothing.
  std::string source_message;

  std::int64_t join_case_id = 0;  // 0: open a new case with the fields below
  std::string path;               // housing, short
  std::string initial_state = "new";
  std::string team;
  int target_days = 0;
  std::string target_on;  // YYYY-MM-DD
  // Public numbers to try, in order (the caller draws them at random); the first one not
  // taken is used. Fails with invalid when all are taken.
  std::vector<std::int64_t> number_candidates;
  // Queued only when the report opens a new case.
  std::vector<QueuedForward> forwards;
  std::optional<QueuedMedia> media;  // a provider photo to fetch
};

struct ReportCreated {
  std::int64_t report_id = 0;
  std::int64_t public_number = 0;
  std::int64_t case_id = 0;
  bool joined_existing = false;
  bool already_existed = false;  // a redelivery of source_message: nothing was written
};

struct CaseRow {
  std::int64_t id = 0;
  std::string category;
  std::string path;
  std::string state;
  std::string last_finding;
  std::string closed_outcome;
  AreaColumns area;
  std::string address_key;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::string team;
  int target_days = 0;
  std::string target_on;
  Millis created_at = 0;
  Millis updated_at = 0;
  Millis last_report_at = 0;
  std::optional<Millis> first_action_at;
  std::optional<Millis> closed_at;
  std::int64_t report_count = 0;
};

// A reporter of a case who asked for updates (never anonymous).
struct CaseReporter {
  std::int64_t report_id = 0;
  std::int64_t public_number = 0;
  std::int64_t subject_id = 0;
  std::string channel;
  std::string language;
};

// A report as the public may see it (Open311, "status 4821"): no reporter, no contact.
struct PublicReportRow {
  std::int64_t public_number = 0;
  std::int64_t case_id = 0;
  std::string category;
  std::string case_state;
  std::string case_path;
  std::string team;
  AreaColumns area;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::string address;
  std::string photo_ref;
  std::string language;
  Millis created_at = 0;
  Millis updated_at = 0;  // of the case
};

struct ReportFilter {
  std::vector<std::int64_t> public_numbers;  // empty: any
  std::vector<std::string> categories;       // empty: any
  std::optional<bool> closed;                // nullopt: both
  Millis from = 0;                           // created_at >= from
  Millis until = 0;                          // created_at <= until; 0: no bound
  std::size_t limit = 1000;
};

struct CaseEventRow {
  std::int64_t id = 0;
  std::string from_state;
  std::string to_state;
  std::string actor;
  std::string note;
  std::string data_json;
  Millis at = 0;
};

struct DeadlineRow {
  std::int64_t case_id = 0;
  std::string kind;
  std::string due_on;
  std::string case_state;
  std::string team;
  AreaColumns area;
};

// One reporter update: its outbox payload, rendered by the caller for the channel.
struct ReporterMessage {
  std::int64_t subject_id = 0;
  std::string channel;
  std::string payload_json;
  std::string text;  // kept in the conversation history when the subject has one
};

struct CaseMove {
  std::int64_t case_id = 0;
  std::string from_state;  // the write fails with conflict when the case moved meanwhile
  std::string to_state;
  std::string actor;
  std::string note;
  std::string data_json = "{}";
  std::string finding;         // kept as the case's last finding when not empty
  std::string closed_outcome;  // when closing
  bool is_inspection = false;
  bool is_official_report = false;
  std::string counted_month;  // YYYY-MM the inspection or report counts in
  std::vector<std::pair<std::string, std::string>> deadlines;  // kind, YYYY-MM-DD
  std::vector<ReporterMessage> messages;
  Millis at = 0;
};

// A case's category corrected at triage, or its route re-evaluated after the routing
// rules changed: the new category, team and service-level target, recorded in the history
// as an event that keeps the state.
struct CaseReroute {
  std::int64_t case_id = 0;
  std::string state;  // the write fails with conflict when the case moved meanwhile
  std::string category;
  std::string team;
  int target_days = 0;
  std::string target_on;  // YYYY-MM-DD
  std::string actor;
  std::string note;
  std::string data_json = "{}";  // from/to category and team, for the history
  std::string counted_month;     // YYYY-MM
  Millis at = 0;
};

struct CaseMoved {
  std::int64_t event_id = 0;
  std::vector<std::int64_t> outbox_ids;
};

// Raw rows for the dashboard (aggregated by cases/dashboard): counts only.
struct StatsReportRow {
  std::string category;
  std::string wijk_name;
  Millis created_at = 0;
  std::string wijk_code;  // "unknown" when no area was found
  std::string buurt_code;
};
struct StatsCaseRow {
  std::int64_t id = 0;
  std::string category;
  std::string wijk_name;
  std::string buurt_name;
  std::string state;
  std::string address_key;
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::int64_t report_count = 0;
  Millis created_at = 0;
  std::optional<Millis> first_action_at;
  std::optional<Millis> closed_at;
};
struct StatsEventRow {
  std::string counted_month;
  bool is_inspection = false;
  bool is_official_report = false;
};
struct StatsRows {
  std::vector<StatsReportRow> reports;
  std::vector<StatsCaseRow> cases;
  std::vector<StatsEventRow> events;
};

class CaseStore {
 public:
  virtual ~CaseStore() = default;

  virtual Result<std::optional<CaseRow>> find_case(std::int64_t case_id) = 0;
  // Open cases (not closed) of a category, for grouping.
  virtual Result<std::vector<CaseRow>> open_cases(const std::string& category) = 0;
  // Closed cases of a category, most recently closed first, at most `limit` (the
  // console's queue with the state filter on closed).
  virtual Result<std::vector<CaseRow>> closed_cases(const std::string& category,
                                                    std::int64_t limit) = 0;
  virtual Result<std::vector<CaseReporter>> reporters_wanting_updates(std::int64_t case_id) = 0;
  virtual Result<std::optional<PublicReportRow>> find_report(std::int64_t public_number) = 0;
  // Newest first, at most filter.limit.
  virtual Result<std::vector<PublicReportRow>> find_reports(const ReportFilter& filter) = 0;
  virtual Result<std::vector<CaseEventRow>> case_history(std::int64_t case_id) = 0;
  // Deadlines not yet met with due_on <= until (YYYY-MM-DD), earliest first.
  virtual Result<std::vector<DeadlineRow>> due_deadlines(const std::string& until) = 0;
  virtual Result<StatsRows> stats_rows() = 0;

  // Inserts the report (and its case). Fails with invalid when the joined case is closed
  // or gone, or no number candidate is free; nothing is written then.
  virtual void create_report(NewReport report, std::function<void(Result<ReportCreated>)> done) = 0;
  // Moves the case, appends the event, meets the open deadlines and starts the new ones,
  // queues the messages: all or nothing. Fails with conflict when the case is no longer
  // in from_state, with invalid when it does not exist.
  virtual void move_case(CaseMove move, std::function<void(Result<CaseMoved>)> done) = 0;
  // Fails with conflict when the case is no longer in `state`; the event id on success.
  virtual void reroute_case(CaseReroute reroute,
                            std::function<void(Result<std::int64_t>)> done) = 0;
  // Retention: clears the personal data of reports whose case was closed before
  // `closed_before` (description, photo reference, reporter link, wants_updates); the
  // counts, categories, areas and times stay for the dashboard. `done` gets the number
  // of reports cleared.
  virtual void purge_closed_reports(Millis closed_before,
                                    std::function<void(Result<std::int64_t>)> done) = 0;

  // Report photos (gateway/media_jobs.hpp). `done` gets true when the report changed.
  virtual void attach_report_photo(ReportPhoto photo, std::function<void(Result<bool>)> done) = 0;
  // The ids of every stored photo a report still references ("photo:<id>").
  virtual Result<std::vector<std::string>> referenced_photo_ids() = 0;
  // The case of the report that references photo `id`; nullopt when none does.
  virtual Result<std::optional<std::int64_t>> case_of_photo(const std::string& id) = 0;
  // Retention: forgets the stored photos of reports made before `created_before`.
  // `done` gets the ids of the photos forgotten (the caller deletes their files).
  virtual void expire_photos(Millis created_before,
                             std::function<void(Result<std::vector<std::string>>)> done) = 0;
};

}  // namespace buurtlijn::store
