// Forwarding new cases to a team's other system (issue 5): the e-mail forwarder (SMTP
// through libcurl) and the Open311 client, both through the durable outbox.
//
// When a report opens a new case routed to a team with a forwarder, attach_forwards()
// adds the outbox items to the same write as the case (store::NewReport::forwards), so a
// case is never created without its forward and never forwarded twice by a retry of the
// write. The payload holds the case's facts, never a secret; the outbox worker renders
// the call when it sends (render_email_item, render_open311_item), taking the SMTP URL,
// recipients, password and api_key from the configuration of that moment. The reporter's
// contact address reaches an e-mail item only when the team's include_contact is true
// (the item then carries the reporter's subject and the claim joins the address).
// An Open311 forward is marked sent with the remote service_request_id, which the store
// keeps in case_forwards.
//
// Pure functions over the configuration and the item; thread-safe.
#pragma once

#include <string>
#include <tl/expected.hpp>

#include "connectors/channel.hpp"
#include "gateway/forwarders_config.hpp"
#include "gateway/http_client.hpp"
#include "store/case_store.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

// The outbox channel names of the forwarders.
inline constexpr std::string_view kEmailChannel = "email";
inline constexpr std::string_view kOpen311Channel = "open311";

// Adds the forwards of `write.team` when the write opens a new case.
void attach_forwards(const ForwardingConfig& forwarding, store::NewReport& write);

// The SMTP call of an "email" item. Fails (permanently) when the team no longer has an
// e-mail forwarder or the payload is not ours.
tl::expected<MailCall, std::string> render_email_item(const ForwardingConfig& forwarding,
                                                      const store::ClaimedOutboxItem& item,
                                                      std::int64_t now_ms);

// The HTTP call of an "open311" item; fails as above, and without an api_key.
tl::expected<connectors::HttpCall, std::string> render_open311_item(
    const ForwardingConfig& forwarding, const store::ClaimedOutboxItem& item);

}  // namespace buurtlijn::gateway
