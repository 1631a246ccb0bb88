// The channel-neutral outbox payload: what the gateway stores for a reply on WhatsApp,
// Telegram or SMS before it is rendered for the channel at send time. JSON of the form
//   {"text":"..","lang":"ro","choices":[{"id":"..","label":"..","description":".."}],
//    "list_button":".."}
// "choices", "description" and "list_button" may be left out. Two special payloads:
//   {"text":"..","lang":"ro","template":{"name":"..","language":"ro","parameters":[..]}}
//   (a WhatsApp approved template) and {"text":"","callback_query_id":".."} (Telegram's
//   answerCallbackQuery). The address and the
// reference are not part of the payload: the outbox worker fills them in from the
// contact_addresses table and the outbox item. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "connectors/channel.hpp"

namespace buurtlijn::connectors {

// The payload JSON for `message` (its address and reference are left out).
std::string encode_outbound_payload(const OutboundMessage& message);

// The message a payload describes, with an empty address and reference. Fails with a
// reason (no personal data) when the text is not a JSON object with a string "text", or
// when a member has the wrong type. Unknown members are ignored.
tl::expected<OutboundMessage, std::string> decode_outbound_payload(std::string_view payload_json);

}  // namespace buurtlijn::connectors
