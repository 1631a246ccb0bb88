// Telegram Bot API: webhook updates (checked against the secret token header), messages,
// callback queries, locations, photos and voice notes, "bot blocked" as an opt-out;
// sendMessage with inline keyboards; classification of the Bot API's answers.
// Pure functions over bytes (see connectors/channel.hpp).
#pragma once

#include <string>

#include "connectors/channel.hpp"

namespace buurtlijn::connectors::telegram {

struct Settings {
  std::string bot_token;     // for the API URL
  std::string secret_token;  // X-Telegram-Bot-Api-Secret-Token, set with setWebhook
  std::string api_base = "https://api.telegram.org";
};

inline constexpr std::size_t kMaxTextChars = 4096;
inline constexpr std::size_t kMaxCallbackDataBytes = 64;

tl::expected<Inbound, Refusal> parse_inbound(const InboundRequest& request,
                                             const Settings& settings);

// sendMessage; choices become an inline keyboard (one button per row) when every id
// fits callback_data's 64 bytes, numbered text otherwise.
HttpCall render(const OutboundMessage& message, const Settings& settings);

// Telegram shows a spinner on a pressed button until the callback query is answered.
HttpCall render_answer_callback(std::string_view callback_query_id, const Settings& settings);

// 429 with parameters.retry_after is throttling; 403 "bot was blocked" is an opt-out.
SendOutcome classify_response(const ProviderResponse& response);

}  // namespace buurtlijn::connectors::telegram
