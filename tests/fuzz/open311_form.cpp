// The Open311 GeoReport v2 server's input: the form-encoded body of POST requests.json
// and the query of GET requests.json. The fuzzed bytes go through parse_form, then both
// request parsers; what they accept must hold the spec's rules, and what comes back out
// (an error, a created answer) must be valid JSON-safe UTF-8.
#include <boost/json.hpp>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.hpp"
#include "connectors/open311/open311.hpp"

// libFuzzer names the entry point.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  using namespace buurtlijn::connectors;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto form = open311::parse_form(text);
  if (!form) {
    FUZZ_CHECK(!form.error().description.empty());
    FUZZ_CHECK(form.error().status == 400);
    FUZZ_CHECK(!boost::json::parse(open311::render_error(form.error())).as_array().empty());
    return 0;
  }
  for (const auto& [name, value] : *form) {
    FUZZ_CHECK(buurtlijn::fuzz::valid_utf8(name));
    FUZZ_CHECK(buurtlijn::fuzz::valid_utf8(value));
  }

  const auto created = open311::parse_new_request(*form);
  if (created) {
    FUZZ_CHECK(!created->api_key.empty());
    FUZZ_CHECK(!created->service_code.empty());
    // A location: both coordinates (finite, in range) or an address.
    FUZZ_CHECK(created->lat.has_value() == created->lon.has_value());
    if (created->lat) {
      FUZZ_CHECK(std::isfinite(*created->lat) && std::abs(*created->lat) <= 90);
      FUZZ_CHECK(std::isfinite(*created->lon) && std::abs(*created->lon) <= 180);
    } else {
      FUZZ_CHECK(!created->address_string.empty() || !created->postcode.empty());
    }
    for (const auto& [code, value] : created->attributes) {
      FUZZ_CHECK(buurtlijn::fuzz::valid_utf8(code));
      FUZZ_CHECK(buurtlijn::fuzz::valid_utf8(value));
    }
  } else {
    FUZZ_CHECK(!created.error().description.empty());
    const boost::json::value error = boost::json::parse(open311::render_error(created.error()));
    FUZZ_CHECK(error.as_array().at(0).as_object().contains("description"));
  }

  const auto query = open311::parse_list_query(*form);
  if (query) {
    if (query->start_ms && query->end_ms) {
      // Both parsed from ISO 8601; they need not be ordered, but they must round-trip.
      FUZZ_CHECK(open311::parse_datetime(open311::format_datetime(*query->start_ms)) ==
                 query->start_ms);
    }
    for (const std::int64_t id : query->service_request_ids) FUZZ_CHECK(id >= 0);
  } else {
    FUZZ_CHECK(!query.error().description.empty());
  }
  return 0;
}
