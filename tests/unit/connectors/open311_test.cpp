// Open311 GeoReport v2 field mapping: the form-encoded POST, the list query, date-times,
// and the JSON shapes of services, definitions, requests and errors.
#include "connectors/open311/open311.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

namespace o311 = buurtlijn::connectors::open311;

TEST_CASE("open311: a form-encoded POST maps to a new request") {
  auto form = o311::parse_form(
      "api_key=k3y&service_code=waste_beside_container&lat=52.2401&long=6.1601"
      "&address_string=Ceintuurbaan+12%2C+7425+AB&description=Saci+l%C3%A2ng%C4%83"
      "&attribute[fraction]=glass&attribute%5Bextra%5D=x&lang=ro&media_url=https%3A%2F%2Fx.nl%2Fa."
      "jpg");
  REQUIRE(form);
  auto request = o311::parse_new_request(*form);
  REQUIRE(request);
  CHECK(request->api_key == "k3y");
  CHECK(request->service_code == "waste_beside_container");
  CHECK(*request->lat == doctest::Approx(52.2401));
  CHECK(*request->lon == doctest::Approx(6.1601));
  CHECK(request->address_string == "Ceintuurbaan 12, 7425 AB");
  CHECK(request->description == "Saci lângă");
  CHECK(request->attributes.at("fraction") == "glass");
  CHECK(request->attributes.at("extra") == "x");
  CHECK(request->lang == "ro");
  CHECK(request->media_url == "https://x.nl/a.jpg");
}

TEST_CASE("open311: refusals of a POST carry the spec's status") {
  struct Row {
    const char* body;
    int status;
    const char* part;
  };
  const Row rows[] = {
      {"service_code=noise&lat=1&long=2", 403, "api_key is required"},
      {"api_key=k&lat=1&long=2", 400, "service_code is required"},
      {"api_key=k&service_code=noise", 400, "a location is required"},
      {"api_key=k&service_code=noise&lat=91&long=2", 400, "lat and long"},
      {"api_key=k&service_code=noise&lat=52", 400, "lat and long"},
      {"api_key=k&service_code=noise&address_id=77", 400, "address_id is not supported"},
      {"api_key=k&service_code=noise&lat=1&long=2&media_url=file%3A%2F%2Fx", 400, "media_url"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.body);
    auto form = o311::parse_form(row.body);
    REQUIRE(form);
    auto request = o311::parse_new_request(*form);
    REQUIRE_FALSE(request);
    CHECK(request.error().status == row.status);
    CHECK(request.error().description.find(row.part) != std::string::npos);
  }
  CHECK_FALSE(o311::parse_form("a=%zz"));
  CHECK_FALSE(o311::parse_form("a=%C3"));  // not UTF-8
  CHECK_FALSE(o311::parse_form("a=%4"));
}

TEST_CASE("open311: list queries and W3C date-times") {
  auto form = o311::parse_form(
      "service_request_id=4821,17&service_code=noise,bulky_waste&start_date=2026-11-01T00:00:00Z"
      "&end_date=2026-11-28T12:00:00%2B01:00&status=closed&lang=ro");
  REQUIRE(form);
  auto query = o311::parse_list_query(*form);
  REQUIRE(query);
  CHECK(query->service_request_ids == std::vector<std::int64_t>{4821, 17});
  CHECK(query->service_codes == std::vector<std::string>{"noise", "bulky_waste"});
  CHECK(*query->start_ms == 1'793'491'200'000);
  CHECK(*query->end_ms == 1'795'863'600'000);  // 11:00Z
  CHECK(*query->closed);
  CHECK(o311::format_datetime(1'795'863'600'000) == "2026-11-28T11:00:00Z");
  CHECK(o311::parse_datetime("2026-11-28T11:00:00.250Z") == 1'795'863'600'000);
  CHECK(o311::parse_datetime("2026-11-28T11:00Z") == 1'795'863'600'000);
  CHECK_FALSE(o311::parse_datetime("2026-02-30T00:00:00Z"));
  CHECK_FALSE(o311::parse_datetime("2026-11-28 11:00:00"));
  CHECK_FALSE(o311::parse_datetime("yesterday"));
  for (const char* bad :
       {"status=lost", "service_request_id=abc", "start_date=2026-13-01T00:00:00Z"}) {
    CAPTURE(bad);
    auto bad_query = o311::parse_list_query(*o311::parse_form(bad));
    REQUIRE_FALSE(bad_query);
    CHECK(bad_query.error().status == 400);
  }
  auto both = o311::parse_list_query(*o311::parse_form("status=open,closed"));
  REQUIRE(both);
  CHECK_FALSE(both->closed);
}

TEST_CASE("open311: rendered services, definitions, requests and errors") {
  o311::Service service{
      "waste_beside_container",
      "Waste beside a container",
      "Waste beside a container",
      "public_space",
      "waste_beside_container",
      {{"fraction", "singlevaluelist", false, "What kind of waste?", 1, {{"glass", "Glass"}}}}};
  const auto services = boost::json::parse(o311::render_services({service})).as_array();
  CHECK(services[0].as_object().at("metadata").as_bool());
  CHECK(services[0].as_object().at("type").as_string() == "realtime");
  const auto definition = boost::json::parse(o311::render_service_definition(service)).as_object();
  const auto& attribute = definition.at("attributes").as_array()[0].as_object();
  CHECK(attribute.at("code").as_string() == "fraction");
  CHECK(attribute.at("variable").as_bool());
  CHECK(attribute.at("values").as_array()[0].as_object().at("key").as_string() == "glass");

  o311::PublicRequest request;
  request.id = 4821;
  request.status_notes = "Report 4821: ...";
  request.service_code = "noise";
  request.requested_ms = 1'795'863'600'000;
  request.updated_ms = 1'795'863'600'000;
  request.lang = "ro";
  const auto list = boost::json::parse(o311::render_requests({request})).as_array();
  const auto& item = list[0].as_object();
  CHECK(item.at("service_request_id").as_string() == "4821");
  CHECK(item.at("status").as_string() == "open");
  CHECK(item.at("requested_datetime").as_string() == "2026-11-28T11:00:00Z");
  CHECK_FALSE(item.contains("address"));
  CHECK_FALSE(item.contains("lat"));
  CHECK(o311::render_created(4821, "ok") ==
        R"([{"service_request_id":"4821","service_notice":"ok"}])");
  CHECK(o311::render_error({404, "no such service_request_id"}) ==
        R"([{"code":404,"description":"no such service_request_id"}])");
}
