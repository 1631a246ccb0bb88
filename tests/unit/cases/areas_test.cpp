// Neighbourhood mapping over the illustrative Deventer file and small inline GeoJSON:
// inside, outside, on the border, postcodes (PC6, PC4 fallback, unknown), bad files.
#include "cases/areas.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

namespace {

using buurtlijn::cases::AreaMap;
using buurtlijn::cases::GeoPoint;
using buurtlijn::cases::normalize_postcode;

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

AreaMap deventer() {
  auto map = AreaMap::from_geojson(
      read_file(std::string(BUURTLIJN_SOURCE_DIR) + "/data/areas/deventer-illustrative.geojson"));
  REQUIRE(map);
  auto postcodes = map->add_postcodes(read_file(std::string(BUURTLIJN_SOURCE_DIR) +
                                                "/data/areas/deventer-illustrative-postcodes.csv"));
  REQUIRE(postcodes);
  return std::move(*map);
}

constexpr const char* kSquare = R"({"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"WIJKCODE":"WK1","WIJKNAAM":"West"},
   "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
  {"type":"Feature","properties":{"wijkcode":"WK2","wijknaam":"East"},
   "geometry":{"type":"MultiPolygon","coordinates":[[[[1,0],[2,0],[2,1],[1,1],[1,0]]]]}}]})";

}  // namespace

TEST_CASE("areas: the illustrative Deventer file covers the five wijken") {
  const AreaMap map = deventer();
  CHECK(map.wijk_count() == 5);
  CHECK(map.buurt_count() == 8);
  struct Row {
    GeoPoint point;
    const char* wijk;
    const char* buurt;
  };
  const Row rows[] = {
      {{52.2550, 6.1600}, "Binnenstad", "Binnenstad-Centrum"},
      {{52.2550, 6.1850}, "Voorstad", "Voorstad-Oost"},
      {{52.2380, 6.1600}, "Rivierenwijk", "Rivierenwijk-Zuid"},
      {{52.2700, 6.1600}, "Zandweerd", "Zandweerd-Noord"},
      {{52.2550, 6.2000}, "Oostrik", "Oostrik"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.wijk);
    const auto area = map.locate(row.point);
    CHECK(area.wijk_name == row.wijk);
    CHECK(area.buurt_name == row.buurt);
    CHECK(area.known());
  }
}

TEST_CASE("areas: a point outside every polygon is unknown, not an error") {
  const AreaMap map = deventer();
  const auto amsterdam = map.locate({52.3728, 4.8936});
  CHECK_FALSE(amsterdam.known());
  CHECK(amsterdam.wijk_code == "unknown");
  CHECK(amsterdam.buurt_name == "unknown");
  CHECK_FALSE(AreaMap().locate({52.25, 6.16}).known());
}

TEST_CASE("areas: a point on a shared border belongs to the first feature in the file") {
  auto map = AreaMap::from_geojson(kSquare);
  REQUIRE(map);
  CHECK(map->locate({0.5, 1.0}).wijk_name == "West");  // on the shared edge x = 1
  CHECK(map->locate({0.5, 0.5}).wijk_name == "West");  // inside
  CHECK(map->locate({0.5, 1.5}).wijk_name == "East");
  CHECK(map->locate({0.0, 0.0}).wijk_name == "West");  // on a corner
  CHECK(map->locate({0.5, 0.0}).wijk_name == "West");  // on the outer border
  CHECK_FALSE(map->locate({1.0000001, 0.5}).known());  // just outside
  CHECK(map->locate({0.5, 2.0}).wijk_name == "East");  // outer border of the second
}

TEST_CASE("areas: postcodes map by PC6, then PC4; unknown postcodes give nothing") {
  const AreaMap map = deventer();
  CHECK(map.postcode_count() == 8);
  auto pc6 = map.locate_postcode("7425 ab");
  REQUIRE(pc6);
  CHECK(pc6->buurt_name == "Rivierenwijk-Zuid");
  CHECK(pc6->wijk_name == "Rivierenwijk");
  auto pc4 = map.locate_postcode("7425XY");  // no PC6 row: its PC4
  REQUIRE(pc4);
  CHECK(pc4->buurt_name == "Rivierenwijk-Noord");
  auto wijk_only = map.locate_postcode("7412");
  REQUIRE(wijk_only);
  CHECK(wijk_only->wijk_name == "Voorstad");
  CHECK(wijk_only->buurt_code == "unknown");
  CHECK_FALSE(map.locate_postcode("1012AB"));
  CHECK_FALSE(map.locate_postcode("not a postcode"));
  CHECK(normalize_postcode(" 7411 AB ") == "7411AB");
  CHECK(normalize_postcode("0411AB").empty());
  CHECK(normalize_postcode("7411A").empty());
}

TEST_CASE("areas: bad GeoJSON and bad postcode tables are refused with a clear reason") {
  struct Row {
    const char* text;
    const char* reason;
  };
  const Row rows[] = {
      {"{not json", "not valid JSON"},
      {R"({"type":"Feature"})", "not a GeoJSON FeatureCollection"},
      {R"({"type":"FeatureCollection"})", "\"features\" array"},
      {R"({"type":"FeatureCollection","features":[]})", "no features"},
      {R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
          "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]})",
       "feature 0: needs a wijkcode or a buurtcode"},
      {R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"wijkcode":"W"},
          "geometry":{"type":"Point","coordinates":[0,0]}}]})",
       "Polygon or MultiPolygon"},
      {R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"wijkcode":"W"},
          "geometry":{"type":"Polygon","coordinates":[[[206000,473000],[207000,473000],
          [207000,474000],[206000,473000]]]}}]})",
       "not RD New (EPSG:28992)"},
      {R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"wijkcode":"W"},
          "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0]]]}}]})",
       "at least four positions"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    auto map = AreaMap::from_geojson(row.text);
    REQUIRE_FALSE(map);
    CHECK(map.error().find(row.reason) != std::string::npos);
  }
  AreaMap map;
  auto no_header = map.add_postcodes("7411,WK1\n");
  REQUIRE_FALSE(no_header);
  CHECK(no_header.error().find("line 1") != std::string::npos);
  auto bad_row = map.add_postcodes("postcode,wijkcode\n7411,WK1\nABCD,WK2\n");
  REQUIRE_FALSE(bad_row);
  CHECK(bad_row.error() == "line 3: 'ABCD' is not a PC4 or PC6 postcode");
}
