// Open311 GeoReport v2 client side (issue 5, "Forwarders"): renders the form-encoded
// POST requests.json that forwards a case to another municipality system (Signalen,
// FixMyStreet, ...) and classifies its answer, taking the remote service_request_id
// (or, for systems that answer later, the token). Pure functions over bytes: no I/O.
// The api_key comes from the environment; it never appears in logs. Thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/channel.hpp"

namespace buurtlijn::connectors::open311 {

struct ClientSettings {
  std::string endpoint;  // base URL; "requests.json" is appended ("https://x.nl/open311/v2/")
  std::string api_key;
  std::string service_code;
  std::string jurisdiction_id;  // optional
};

struct OutgoingRequest {
  std::optional<double> lat;
  std::optional<double> lon;
  std::string address_string;  // sent when no point is known (or as well, when given)
  std::string description;
  std::string lang;
  std::map<std::string, std::string> attributes;  // attribute[code]=value
};

// application/x-www-form-urlencoded: unreserved bytes as they are, a space as '+',
// everything else %XX.
std::string form_encode(std::string_view text);

// POST <endpoint>/requests.json with Content-Type application/x-www-form-urlencoded.
HttpCall render_post(const OutgoingRequest& request, const ClientSettings& settings);

// 200/201 with [{"service_request_id":"..."}] (or {"token":...}) -> sent with that id;
// 403 (bad key), 400 and 404 -> permanent with the remote description; 429 -> throttled;
// 5xx and unreadable 2xx bodies -> retry.
SendOutcome classify_post_response(const ProviderResponse& response);

}  // namespace buurtlijn::connectors::open311
