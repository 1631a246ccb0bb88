// See svg_map.hpp.
#include "admin/svg_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>

namespace buurtlijn::admin {

namespace {

constexpr double kWidth = 480;
constexpr double kHeight = 360;
constexpr double kMargin = 8;

std::string coordinate(double value) {
  char text[32];
  const double rounded = std::round(value * 10) / 10;
  if (std::abs(rounded - std::round(rounded)) < 1e-9) {
    std::snprintf(text, sizeof text, "%.0f", rounded);
  } else {
    std::snprintf(text, sizeof text, "%.1f", rounded);
  }
  return text;
}

}  // namespace

MapProjection MapProjection::fit(const std::vector<MapRegion>& regions, double width, double height,
                                 double margin) {
  double west = std::numeric_limits<double>::max();
  double east = std::numeric_limits<double>::lowest();
  double south = std::numeric_limits<double>::max();
  double north = std::numeric_limits<double>::lowest();
  for (const MapRegion& region : regions) {
    for (const Rings& rings : region.polygons) {
      for (const auto& ring : rings) {
        for (const cases::GeoPoint& point : ring) {
          west = std::min(west, point.longitude);
          east = std::max(east, point.longitude);
          south = std::min(south, point.latitude);
          north = std::max(north, point.latitude);
        }
      }
    }
  }
  MapProjection projection;
  if (west > east) return projection;  // no points: the identity, never used
  projection.west_ = west;
  projection.north_ = north;
  projection.x_factor_ = std::cos((south + north) / 2 * std::numbers::pi / 180);
  const double span_x = (east - west) * projection.x_factor_;
  const double span_y = north - south;
  const double room_x = std::max(1.0, width - 2 * margin);
  const double room_y = std::max(1.0, height - 2 * margin);
  double scale = std::numeric_limits<double>::max();
  if (span_x > 0) scale = std::min(scale, room_x / span_x);
  if (span_y > 0) scale = std::min(scale, room_y / span_y);
  if (scale == std::numeric_limits<double>::max()) scale = 1;
  projection.pixels_per_degree_ = scale;
  // Centred in the box.
  projection.offset_x_ = margin + (room_x - span_x * scale) / 2;
  projection.offset_y_ = margin + (room_y - span_y * scale) / 2;
  return projection;
}

SvgPoint MapProjection::project(cases::GeoPoint point) const {
  return SvgPoint{offset_x_ + (point.longitude - west_) * x_factor_ * pixels_per_degree_,
                  offset_y_ + (north_ - point.latitude) * pixels_per_degree_};
}

std::string svg_path_data(const std::vector<Rings>& polygons, const MapProjection& projection,
                          double min_step) {
  std::string data;
  for (const Rings& rings : polygons) {
    for (const auto& ring : rings) {
      std::vector<SvgPoint> kept;
      for (const cases::GeoPoint& point : ring) {
        const SvgPoint at = projection.project(point);
        if (!kept.empty() && std::hypot(at.x - kept.back().x, at.y - kept.back().y) < min_step) {
          continue;
        }
        kept.push_back(at);
      }
      // A closed ring repeats its first point: Z closes it instead.
      if (kept.size() > 1 &&
          std::hypot(kept.back().x - kept.front().x, kept.back().y - kept.front().y) < min_step) {
        kept.pop_back();
      }
      if (kept.size() < 3) continue;
      for (std::size_t i = 0; i < kept.size(); ++i) {
        if (!data.empty()) data += ' ';
        data += (i == 0 ? "M" : "L") + coordinate(kept[i].x) + " " + coordinate(kept[i].y);
      }
      data += " Z";
    }
  }
  return data;
}

int colour_class(std::int64_t count, std::int64_t max) {
  if (count <= 0 || max <= 0) return 0;
  const std::int64_t clamped = std::min(count, max);
  // ceil(count * 5 / max), in integers.
  const std::int64_t colour = (clamped * 5 + max - 1) / max;
  return static_cast<int>(std::clamp<std::int64_t>(colour, 1, 5));
}

std::vector<LegendClass> legend_classes(std::int64_t max) {
  std::vector<LegendClass> classes;
  if (max <= 0) return classes;
  for (int colour = 1; colour <= 5; ++colour) {
    // Counts c with colour_class(c) == colour: (colour-1)*max/5 < c <= colour*max/5.
    const std::int64_t low = (colour - 1) * max / 5 + 1;
    const std::int64_t high = colour * max / 5;
    if (low <= high) classes.push_back({colour, low, high});
  }
  return classes;
}

Html choropleth(std::string_view title, const std::vector<MapRegion>& regions) {
  const MapProjection projection = MapProjection::fit(regions, kWidth, kHeight, kMargin);
  std::int64_t max = 0;
  for (const MapRegion& region : regions) max = std::max(max, region.count);
  Html paths;
  for (const MapRegion& region : regions) {
    const std::string data = svg_path_data(region.polygons, projection);
    if (data.empty()) continue;
    paths += fill(
        R"(<path class="area c{{colour}}" d="{{d}}" data-code="{{code}}" data-count="{{count}}"><title>{{tooltip}}</title></path>)",
        {{"colour", std::to_string(colour_class(region.count, max))},
         {"d", data},
         {"code", region.code},
         {"count", std::to_string(region.count)},
         {"tooltip", region.tooltip}});
  }
  return fill(
      R"(<svg class="map" role="img" aria-label="{{title}}" viewBox="0 0 {{w}} {{h}}" width="{{w}}" height="{{h}}" xmlns="http://www.w3.org/2000/svg"><title>{{title}}</title>{{paths}}</svg>)",
      {{"title", std::string(title)},
       {"w", coordinate(kWidth)},
       {"h", coordinate(kHeight)},
       {"paths", paths}});
}

}  // namespace buurtlijn::admin
