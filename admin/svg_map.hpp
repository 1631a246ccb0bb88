// A server-rendered choropleth for the dashboard: the wijk or buurt polygons of the area
// map (cases/areas.hpp) drawn as SVG paths, each filled by its count with a sequential
// colour class (.c0 for none, .c1 to .c5 from few to most; colours in admin.css), its
// name and count as a <title> tooltip. No map tiles, no script, no inline style. The
// page puts the same counts in a table next to it (the accessible alternative).
//
// The projection is equirectangular: x = longitude * cos(mid latitude), y = -latitude,
// scaled to fit the box with the aspect ratio kept; ample for one municipality. Points
// closer than half a pixel to the previous one are dropped (simplification).
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "admin/html.hpp"
#include "cases/areas.hpp"

namespace buurtlijn::admin {

using Rings = std::vector<std::vector<cases::GeoPoint>>;  // outer ring first, then holes

struct MapRegion {
  std::string code;
  std::string tooltip;  // "Voorstad: 3 meldingen", shown as the path's <title>
  std::int64_t count = 0;
  std::vector<Rings> polygons;
};

struct SvgPoint {
  double x = 0;
  double y = 0;
};

class MapProjection {
 public:
  // Fits every point of `regions` into width x height pixels inside `margin`.
  static MapProjection fit(const std::vector<MapRegion>& regions, double width, double height,
                           double margin);
  SvgPoint project(cases::GeoPoint point) const;

 private:
  double west_ = 0;
  double north_ = 0;
  double x_factor_ = 1;  // cos(mid latitude)
  double pixels_per_degree_ = 1;
  double offset_x_ = 0;
  double offset_y_ = 0;
};

// SVG path data of the polygons: "M x y L x y … Z" per ring, at most one decimal; points
// closer than `min_step` pixels to the last one kept are dropped, and a ring left with
// fewer than three points is left out.
std::string svg_path_data(const std::vector<Rings>& polygons, const MapProjection& projection,
                          double min_step = 0.5);

// The colour class of `count` when the largest count is `max`: 0 for none, else 1..5.
int colour_class(std::int64_t count, std::int64_t max);

// The legend's classes: {class, lowest count, highest count} for each class some count
// can fall in, from 1 to 5 (class 0, "none", is not listed).
struct LegendClass {
  int colour = 0;
  std::int64_t low = 0;
  std::int64_t high = 0;
};
std::vector<LegendClass> legend_classes(std::int64_t max);

// The map: <svg class="map" role="img"> with a <title>, one <path class="area cN"
// data-code=… data-count=…> per region in the given order.
Html choropleth(std::string_view title, const std::vector<MapRegion>& regions);

}  // namespace buurtlijn::admin
