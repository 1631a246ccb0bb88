// The Open311 GeoReport v2 endpoints under /open311/v2/ (JSON only; .xml answers 404):
// services.json, services/{code}.json, requests.json (GET list, POST new with an
// api_key), requests/{id}.json. Thin adapters: connectors/open311 parses and renders,
// cases/ decides, the store records. Personal data never leaves: no reporter, no
// contact, no description; housing reports show no address or coordinates.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>

#include "gateway/http_responses.hpp"
#include "gateway/router.hpp"

namespace buurtlijn::gateway {

struct App;

boost::asio::awaitable<Response> handle_open311(App& app, const Request& request, RouteId route,
                                                std::string_view parameter);

// Hex SHA-256 of an api_key, as listed in open311.api_key_sha256.
std::string api_key_digest(std::string_view api_key);

}  // namespace buurtlijn::gateway
