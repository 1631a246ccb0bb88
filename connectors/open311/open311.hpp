// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), server side: parsing the
// form-encoded POST of a new request and the query of a request list, and rendering the
// JSON answers and errors. Pure functions over bytes; no personal data is ever
// rendered (no reporter, no contact, no description text). Thread-safe.
//
// Extension: `lang` (ISO 639-1) on POST carries the reporter's language and on GET asks
// for service names in that language; each request lists its `lang`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace buurtlijn::connectors::open311 {

// An Open311 error: HTTP status and description ([{"code":400,"description":"..."}]).
struct Error {
  int status = 400;
  std::string description;
};

using Form = std::multimap<std::string, std::string>;

// application/x-www-form-urlencoded ('+' is a space) or a query string. Fails on bad
// percent-encoding or invalid UTF-8.
tl::expected<Form, Error> parse_form(std::string_view text);

struct NewRequest {
  std::string api_key;
  std::string jurisdiction_id;
  std::string service_code;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string address_string;
  std::string postcode;  // extension: a Dutch postcode (or taken from address_string)
  std::string description;
  std::string media_url;
  std::string lang;
  std::map<std::string, std::string> attributes;  // attribute[code]=value
};

// Checks the required fields (api_key, service_code, a location: lat+long or
// address_string) and their forms. The api_key is not checked against anything here.
tl::expected<NewRequest, Error> parse_new_request(const Form& form);

struct ListQuery {
  std::vector<std::int64_t> service_request_ids;
  std::vector<std::string> service_codes;
  std::optional<std::int64_t> start_ms;
  std::optional<std::int64_t> end_ms;
  std::optional<bool> closed;  // status=open|closed
  std::string lang;
};

// GET requests.json query. Dates are W3C/ISO 8601 ("2026-11-01T00:00:00Z",
// "2026-11-01T00:00:00+01:00"). Refuses unknown statuses and bad dates.
tl::expected<ListQuery, Error> parse_list_query(const Form& query);

// "2026-11-28T14:05:00Z" <-> ms since the epoch.
std::string format_datetime(std::int64_t at_ms);
std::optional<std::int64_t> parse_datetime(std::string_view text);

struct ServiceAttributeValue {
  std::string key;
  std::string name;
};

struct ServiceAttribute {
  std::string code;
  std::string datatype;  // string, number, text, singlevaluelist, ...
  bool required = false;
  std::string description;
  int order = 0;
  std::vector<ServiceAttributeValue> values;
};

struct Service {
  std::string code;
  std::string name;
  std::string description;
  std::string group;
  std::string keywords;
  std::vector<ServiceAttribute> attributes;  // metadata = !attributes.empty()
};

std::string render_services(const std::vector<Service>& services);
std::string render_service_definition(const Service& service);

struct PublicRequest {
  std::int64_t id = 0;  // the public report number
  bool closed = false;
  std::string status_notes;
  std::string service_code;
  std::string service_name;
  std::string agency_responsible;
  std::int64_t requested_ms = 0;
  std::int64_t updated_ms = 0;
  std::string address;  // empty: left out
  std::string zipcode;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string media_url;
  std::string lang;
};

std::string render_requests(const std::vector<PublicRequest>& requests);
// [{"service_request_id":"4821","service_notice":"..."}]
std::string render_created(std::int64_t id, std::string_view service_notice);
std::string render_error(const Error& error);

}  // namespace buurtlijn::connectors::open311
