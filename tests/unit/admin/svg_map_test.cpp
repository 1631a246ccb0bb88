// The dashboard's choropleth: the equirectangular projection (scaled by cos(latitude)),
// the SVG path data with its simplification, the colour classes and legend, the map's
// markup, and the outlines AreaMap hands out for it.
#include "admin/svg_map.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

namespace buurtlijn::admin {
namespace {

using cases::GeoPoint;

// A square of one degree by one degree around latitude 60 (cos 60° = 0.5).
std::vector<GeoPoint> square_ring() {
  return {{60.5, 10.0}, {60.5, 11.0}, {59.5, 11.0}, {59.5, 10.0}, {60.5, 10.0}};
}

MapRegion square_region(std::string code, std::int64_t count) {
  return MapRegion{std::move(code), "tip", count, {Rings{square_ring()}}};
}

TEST_CASE("map: the projection scales longitude by cos(latitude) and fits the box") {
  const std::vector<MapRegion> regions{square_region("A", 1)};
  const MapProjection projection = MapProjection::fit(regions, 200, 100, 0);
  // 0.5 wide (1° x cos 60°) by 1 high: the height decides, 100 px per degree, centred.
  const SvgPoint north_west = projection.project({60.5, 10.0});
  const SvgPoint south_east = projection.project({59.5, 11.0});
  CHECK(north_west.x == doctest::Approx(75));
  CHECK(north_west.y == doctest::Approx(0));
  CHECK(south_east.x == doctest::Approx(125));
  CHECK(south_east.y == doctest::Approx(100));
  // North is up: a point further south has a larger y.
  CHECK(projection.project({60.0, 10.5}).y == doctest::Approx(50));
}

TEST_CASE("map: path data per ring, closed with Z, rounded, simplified") {
  const std::vector<MapRegion> regions{square_region("A", 1)};
  const MapProjection projection = MapProjection::fit(regions, 200, 100, 0);
  CHECK(svg_path_data(regions[0].polygons, projection) == "M75 0 L125 0 L125 100 L75 100 Z");

  // A point a hair away from the previous one is dropped; a ring that collapses to
  // fewer than three points is left out; a hole is a second subpath.
  std::vector<GeoPoint> noisy = square_ring();
  noisy.insert(noisy.begin() + 1, GeoPoint{60.5, 10.001});
  const std::vector<GeoPoint> speck{{60.0, 10.5}, {60.0, 10.5001}, {60.0001, 10.5}, {60.0, 10.5}};
  const std::vector<GeoPoint> hole{{60.2, 10.4}, {60.2, 10.6}, {59.8, 10.6}, {59.8, 10.4}};
  const std::string data = svg_path_data({Rings{noisy, speck, hole}}, projection);
  CHECK(data == "M75 0 L125 0 L125 100 L75 100 Z M95 30 L105 30 L105 70 L95 70 Z");
  CHECK(svg_path_data({}, projection).empty());
}

TEST_CASE("map: colour classes run from 0 (none) to 5 (most) and the legend lists them") {
  CHECK(colour_class(0, 10) == 0);
  CHECK(colour_class(1, 10) == 1);
  CHECK(colour_class(2, 10) == 1);
  CHECK(colour_class(3, 10) == 2);
  CHECK(colour_class(10, 10) == 5);
  CHECK(colour_class(12, 10) == 5);
  CHECK(colour_class(3, 0) == 0);
  const auto ten = legend_classes(10);
  REQUIRE(ten.size() == 5);
  CHECK(ten[0].low == 1);
  CHECK(ten[0].high == 2);
  CHECK(ten[4].low == 9);
  CHECK(ten[4].high == 10);
  // With at most 2 only the classes a count can land in are listed.
  const auto two = legend_classes(2);
  REQUIRE(two.size() == 2);
  CHECK(two[0].colour == colour_class(1, 2));
  CHECK(two[0].low == 1);
  CHECK(two[0].high == 1);
  CHECK(two[1].colour == 5);
  CHECK(two[1].low == 2);
  CHECK(legend_classes(0).empty());
  for (std::int64_t max = 1; max <= 12; ++max) {
    for (std::int64_t count = 1; count <= max; ++count) {
      bool listed = false;
      for (const LegendClass& entry : legend_classes(max)) {
        if (count >= entry.low && count <= entry.high) {
          CHECK(entry.colour == colour_class(count, max));
          listed = true;
        }
      }
      CHECK(listed);
    }
  }
}

TEST_CASE("map: one titled path per region with its class, escaped tooltips") {
  std::vector<MapRegion> regions{square_region("WK1", 4), square_region("WK2", 0)};
  regions[0].tooltip = "Binnenstad <b>&</b>: 4";
  const std::string svg = choropleth("Meldingen per wijk", regions).str();
  CHECK(svg.rfind("<svg class=\"map\" role=\"img\" aria-label=\"Meldingen per wijk\"", 0) == 0);
  CHECK(svg.find("<title>Meldingen per wijk</title>") != std::string::npos);
  CHECK(svg.find("class=\"area c5\" d=\"M") != std::string::npos);
  CHECK(svg.find("data-code=\"WK1\" data-count=\"4\"") != std::string::npos);
  CHECK(svg.find("class=\"area c0\"") != std::string::npos);
  CHECK(svg.find("<title>Binnenstad &lt;b&gt;&amp;&lt;/b&gt;: 4</title>") != std::string::npos);
  std::size_t paths = 0;
  for (auto at = svg.find("<path "); at != std::string::npos; at = svg.find("<path ", at + 1)) {
    ++paths;
  }
  CHECK(paths == 2);
  CHECK(svg.find("style") == std::string::npos);
}

TEST_CASE("map: the area map hands out its outlines per level in file order") {
  std::ifstream file(std::string(BUURTLIJN_SOURCE_DIR) +
                     "/data/areas/deventer-illustrative.geojson");
  std::ostringstream text;
  text << file.rdbuf();
  auto map = cases::AreaMap::from_geojson(text.str());
  REQUIRE(map);
  const auto wijken = map->shapes(cases::AreaShape::Level::wijk);
  const auto buurten = map->shapes(cases::AreaShape::Level::buurt);
  CHECK(wijken.size() == map->wijk_count());
  CHECK(buurten.size() == map->buurt_count());
  REQUIRE_FALSE(wijken.empty());
  CHECK(wijken[0].code == "WK015001");
  CHECK(wijken[0].name == "Binnenstad");
  REQUIRE(wijken[0].polygons.size() == 1);
  const auto& ring = wijken[0].polygons[0][0];
  REQUIRE(ring.size() >= 4);
  CHECK(ring.front().latitude == doctest::Approx(ring.back().latitude));  // closed
  CHECK(ring.front().latitude > 52);  // latitude and longitude not swapped
  CHECK(ring.front().longitude < 7);
  for (const auto& buurt : buurten) CHECK(buurt.wijk_code.rfind("WK0150", 0) == 0);
  // Every outline projects to a non-empty path.
  std::vector<MapRegion> regions;
  for (const auto& shape : wijken) regions.push_back({shape.code, shape.name, 1, shape.polygons});
  const MapProjection projection = MapProjection::fit(regions, 480, 360, 8);
  for (const MapRegion& region : regions)
    CHECK_FALSE(svg_path_data(region.polygons, projection).empty());
}

}  // namespace
}  // namespace buurtlijn::admin
