// The channel webhooks: /webhooks/whatsapp (GET handshake, POST events),
// /webhooks/telegram, /webhooks/kannel and /webhooks/kannel/dlr. Each request is
// verified and parsed by its connector, every event is committed (messages as turns,
// statuses onto their outbox items), and only then is 200 answered: a provider that
// gets anything else retries, and a redelivered message is answered 200 and ignored.
// Thread-safe as far as the App's members are.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "dialogs/engine.hpp"
#include "gateway/http_responses.hpp"
#include "gateway/router.hpp"

namespace buurtlijn::gateway {

struct App;

boost::asio::awaitable<Response> handle_webhook(App& app, const Request& request, RouteId route);

// The payloads the outbox sends for a reply on an HTTP channel: one, or one per SMS
// part on "kannel". Also used for the console's replies.
std::vector<std::string> reply_payloads(const dialogs::Reply& reply, std::string_view channel,
                                        const App& app);

// The first digits of a phone number ("+40"), enough for a language hint and nothing more.
std::string phone_prefix_of(std::string_view address);

}  // namespace buurtlijn::gateway
