// The report conversation's I/O, for run_turn(): a completed report form
// (dialogs::Action::Kind::create_report) becomes a report through cases::plan_report and
// the CaseStore, answered with its public number; "status 4821" (in any of the 16
// languages) is answered with the public status. Runs on the caller's executor.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dialogs/engine.hpp"
#include "gateway/case_runtime.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

// The report number in "status 4821", "stare 4821", "статус 4821", "حالة ٤٨٢١", ...;
// nullopt for anything else.
std::optional<std::int64_t> status_query(std::string_view text);

struct ReportRequest {
  dialogs::Action action;  // create_report
  std::string language;
  std::string channel;
  std::string subject_pseudonym;
  std::string contact_address;
  // "<channel>:<provider message id>" of the message that completed the form: a
  // redelivery of that message finds the report made the first time instead of a second.
  std::string source_message;
  std::chrono::system_clock::time_point now;
};

// Plans and stores the report; the text key of the reply and its number. On failure
// (a refused plan or the store) the key is report_failed and the number 0; the reason
// is logged without personal data.
struct ReportResult {
  std::string message;  // report_created, report_created_unknown_area, report_failed
  std::int64_t public_number = 0;
  std::int64_t case_id = 0;
};

boost::asio::awaitable<ReportResult> create_chat_report(store::Store& store,
                                                        const CaseRuntime& cases,
                                                        const ReportRequest& request);

// A reply with messages.<message> rendered in the conversation's language, the number
// given as a plain string (no digit grouping).
dialogs::Reply report_reply(const dialogs::Content& content,
                            const dialogs::ConversationState& state, const ReportResult& result);

// The public status reply for a status query.
dialogs::Reply status_query_reply(const dialogs::Content& content,
                                  const dialogs::ConversationState& state, std::int64_t number,
                                  store::Store& store, const CaseRuntime& cases);

}  // namespace buurtlijn::gateway
