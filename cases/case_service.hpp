// From a report or an inspector's move to the one store write that records it: the
// decisions of cases/ (area, route, grouping, allowed transition, reporter texts) over
// what the store reads now. Each function reads, decides and returns the write (or a
// refusal); the caller submits it, so a refused request writes nothing.
//
// Thread safety: stateless; the store and the maps are shared read-only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "cases/areas.hpp"
#include "cases/routing.hpp"
#include "cases/status_texts.hpp"
#include "cases/workflow.hpp"
#include "store/case_store.hpp"

namespace buurtlijn::cases {

struct Refusal {
  enum class Kind { invalid, not_found, conflict, unavailable };
  Kind kind = Kind::invalid;
  std::string reason;  // for the person or client; never personal data
};

struct ReportInput {
  std::string category;
  std::optional<GeoPoint> location;
  std::string address;   // typed address or Open311 address_string
  std::string postcode;  // PC4 or PC6, used when there is no location
  std::string description;
  std::string photo_ref;
  std::string language = "nl";
  std::string subject_pseudonym;  // empty: anonymous
  std::string contact_address;
  std::string channel;
  bool wants_updates = false;
  std::string source;
  std::string attributes_json = "{}";
  std::int64_t at_ms = 0;
  int local_hour = 12;  // for routing rules with hours
};

struct PlannedReport {
  store::NewReport write;
  Area area;
  std::string area_source;  // point, postcode, none
  std::string note;         // e.g. "postcode 1012AB is not in the postcode table"
};

// Validates the input (category, coordinates, postcode form, language, text limits) and
// decides area, route and grouping. `random` draws the public number candidates.
tl::expected<PlannedReport, Refusal> plan_report(const ReportInput& input, const AreaMap& areas,
                                                 const CasesSettings& settings,
                                                 store::CaseStore& store, std::mt19937_64& random);

// Renders a status text for a reporter's channel into outbox payloads (the gateway
// knows the connectors); usually one, several for a long SMS.
using PayloadRenderer = std::function<std::vector<std::string>(
    std::string_view channel, std::string_view text, std::string_view language)>;

struct MoveInput {
  std::int64_t case_id = 0;
  TransitionRequest request;
  std::int64_t at_ms = 0;
};

// Reads the case, checks the transition and builds the write with its reporter updates
// (in each reporter's language, with that reporter's own report number).
tl::expected<store::CaseMove, Refusal> plan_move(const MoveInput& input, store::CaseStore& store,
                                                 const StatusTexts& texts,
                                                 const PayloadRenderer& render);

struct RerouteInput {
  std::int64_t case_id = 0;
  std::string category;  // the corrected category; the case's own to re-evaluate the rules
  std::string by;
  std::string note;
  std::int64_t at_ms = 0;
  int local_hour = 12;
};

// Re-evaluates the routing rules for a case whose category was corrected at triage (or
// whose rules changed): team, target days and target date (counted from the case's
// creation). Only while the case is new or triaged, and only within its path (a waste
// case cannot become a housing case: its steps differ; close it as referred instead).
// Nullopt when nothing would change.
tl::expected<std::optional<store::CaseReroute>, Refusal> plan_reroute(const RerouteInput& input,
                                                                      const CasesSettings& settings,
                                                                      store::CaseStore& store);

// The public answer to "status 4821" in `language`: the plain status of the report's
// case, or the not-found text. Nullopt-free: a store failure is a Refusal.
tl::expected<std::string, Refusal> status_reply(std::int64_t public_number,
                                                std::string_view language, store::CaseStore& store,
                                                const StatusTexts& texts);

// "2026-11-28" for a time in ms since the epoch (UTC) and the reverse day count.
std::string iso_date_of(std::int64_t at_ms);
std::string iso_date_of_day(std::int64_t epoch_day);

}  // namespace buurtlijn::cases
