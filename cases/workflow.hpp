// The enforcement workflow of a case: its states, the allowed transitions and what each
// transition must carry. Two paths:
//   housing (overcrowding, illegal room rental, exploitation):
//     new -> triaged -> inspection_planned -> inspected -> official_report ->
//     warning_letter_sent | intent_to_penalty_sent -> response_period ->
//     reinspection_planned -> penalty_imposed -> inspection_after_deadline ->
//     penalty_forfeited | complied -> closed
//   short (waste, noise, other): new -> triaged -> action_planned -> closed
// A refused transition says why. Pure: no I/O, no clock reads (times are passed in).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

namespace buurtlijn::cases {

enum class CaseState {
  new_case,
  triaged,
  inspection_planned,
  inspected,
  official_report,
  warning_letter_sent,
  intent_to_penalty_sent,
  response_period,
  reinspection_planned,
  penalty_imposed,
  inspection_after_deadline,
  penalty_forfeited,
  complied,
  action_planned,
  closed,
};

enum class CasePath { housing, short_path };

// What a reporter is told: never the internal step.
enum class PublicStatus { received, planned, handled, closed };

std::string_view to_string(CaseState state);
std::optional<CaseState> parse_state(std::string_view text);
std::string_view to_string(CasePath path);
std::optional<CasePath> parse_path(std::string_view text);
std::string_view to_string(PublicStatus status);
PublicStatus public_status(CaseState state);

// Report categories (as stored and as Open311 service codes).
struct Category {
  std::string_view code;
  CasePath path;
  bool sensitive;  // exploitation: restricted team, never public details
};
const std::vector<Category>& categories();
const Category* find_category(std::string_view code);

// The structured data a transition may carry (recorded with the event).
struct TransitionData {
  std::string inspection_date;          // YYYY-MM-DD (planned inspections)
  std::string shift;                    // day, evening, night
  std::vector<std::string> inspectors;  // always a pair
  std::string finding;                  // violation, no_violation, no_access
  std::string deadline;                 // YYYY-MM-DD (response period, penalty term)
  std::string action;                   // clean_up, milieupas_letter, camera_check
  std::string outcome;                  // resolved, unfounded, referred (closing)
};

struct TransitionRequest {
  CaseState to = CaseState::triaged;
  std::string by;    // who moves it (an inspector's or officer's name or role)
  std::string note;  // free text, kept in the history
  TransitionData data;
};

// Deadlines a transition starts; they are met by the next transition of the case.
struct DeadlineStart {
  std::string kind;  // inspection, re_inspection, response_period, penalty_deadline
  std::string date;  // YYYY-MM-DD
};

struct CaseSnapshot {
  CasePath path = CasePath::short_path;
  CaseState state = CaseState::new_case;
  std::string last_finding;  // of the latest inspection, empty when none
};

struct TransitionPlan {
  CaseState from;
  CaseState to;
  PublicStatus public_before;
  PublicStatus public_after;
  bool notify_reporters = false;  // the public status became planned, handled or closed
  std::vector<DeadlineStart> deadlines;
  bool is_inspection = false;       // counts as an inspection (finding recorded)
  bool is_official_report = false;  // a proces-verbaal was drawn up
};

// The states reachable from `snapshot` (for help texts and refusals).
std::vector<CaseState> allowed_next(const CaseSnapshot& snapshot);

// Why a transition is refused: a stable code with named details (state codes, the
// finding, what was given) for a translated text, and the same in English for the
// command line. Codes: closed, not_allowed {from, to, allowed}, no_actor,
// need_date {got}, need_shift / need_finding / need_action / need_outcome {got},
// need_pair {got}, need_deadline {got}, planned_needs_no_access {finding},
// report_needs_violation {finding}, complied_after_violation,
// forfeit_needs_violation {finding}, close_after_violation.
struct TransitionRefusal {
  std::string code;
  std::vector<std::pair<std::string, std::string>> details;  // "allowed": "a,b" (codes)
  std::string reason;  // e.g. "inspection_planned needs a pair of two different inspectors, got 1"
  std::string detail(std::string_view name) const;
};

// Every code a TransitionRefusal can carry (so that each has a text in the console).
const std::vector<std::string_view>& refusal_codes();

// Checks the transition and its data.
tl::expected<TransitionPlan, TransitionRefusal> check_transition(const CaseSnapshot& snapshot,
                                                                 const TransitionRequest& request);
// The same with the English reason, for the inspector's command line.
tl::expected<TransitionPlan, std::string> plan_transition(const CaseSnapshot& snapshot,
                                                          const TransitionRequest& request);

// True for a valid calendar date written YYYY-MM-DD.
bool is_iso_date(std::string_view text);

}  // namespace buurtlijn::cases
