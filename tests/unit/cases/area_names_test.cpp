// The area map's names, as the console offers them for a broadcast's segment: wijken
// first, then buurten, each sorted, no repeats; none without a map.
#include <doctest/doctest.h>

#include "cases/areas.hpp"

namespace {

constexpr const char* kTwoWijken = R"({"type":"FeatureCollection","features":[
  {"type":"Feature","properties":{"wijkcode":"WK2","wijknaam":"Zandweerd"},
   "geometry":{"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}},
  {"type":"Feature","properties":{"wijkcode":"WK1","wijknaam":"Rivierenwijk"},
   "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},
  {"type":"Feature","properties":{"buurtcode":"BU1","buurtnaam":"Knutteldorp","wijkcode":"WK1"},
   "geometry":{"type":"Polygon","coordinates":[[[0,0],[0.5,0],[0.5,0.5],[0,0.5],[0,0]]]}},
  {"type":"Feature","properties":{"buurtcode":"BU2","buurtnaam":"Zandweerd","wijkcode":"WK2"},
   "geometry":{"type":"Polygon","coordinates":[[[1,0],[1.5,0],[1.5,0.5],[1,0.5],[1,0]]]}}]})";

}  // namespace

TEST_CASE("area names: wijken, then buurten, sorted, each once") {
  auto map = buurtlijn::cases::AreaMap::from_geojson(kTwoWijken);
  REQUIRE_MESSAGE(map, map.error());
  CHECK(map->names() == std::vector<std::string>{"Rivierenwijk", "Zandweerd", "Knutteldorp"});
  CHECK(buurtlijn::cases::AreaMap().names().empty());
}
