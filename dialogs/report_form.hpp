// The nuisance-report form: from the `report` node, step by step: category (with the
// waste fraction, or the room-rental questions), location (a pin, or a typed address
// or postcode + house number), an optional photo, an optional description, anonymous
// or updates on this channel. The last answer yields Action::Kind::create_report with
// the fields; the gateway creates the report and replies with its number. Options are
// buttons and numbers (1, 2, ... on SMS); "0" or a menu word leaves the form. The state
// lives in ConversationState::report. Pure: no I/O, no clock.
#pragma once

#include <optional>
#include <string_view>

#include "dialogs/engine.hpp"

namespace buurtlijn::dialogs {

inline constexpr std::string_view kReportNodeId = "report";

// Starts the form in `turn` (the node's text is already in its replies): asks the category.
void start_report_form(Turn& turn, const Content& content);

// One answer while a form is in progress (state.report.step not empty). Nullopt when
// the event leaves the form ("0", a menu word): the engine then answers it normally
// with the form cleared.
std::optional<Turn> continue_report_form(const ConversationState& state, const InboundEvent& event,
                                         const Content& content);

// Whether typed text reads as a Dutch postcode + house number ("7411 AB 12", "7411AB
// 12a") or a street address with a house number ("Brinkgreverweg 12"). Pure syntax: the
// gateway checks that it exists.
bool looks_like_address(std::string_view text);

}  // namespace buurtlijn::dialogs
