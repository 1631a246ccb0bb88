// See areas.hpp. Boost.Geometry does the point-in-polygon work on longitude/latitude
// treated as plane coordinates: exact enough inside one municipality, where the
// distortion is far below the precision of the polygons.
#include "cases/areas.hpp"

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <map>
#include <unordered_map>

namespace buurtlijn::cases {
namespace {

namespace bg = boost::geometry;
using Point = bg::model::d2::point_xy<double>;  // x = longitude, y = latitude
using Polygon = bg::model::polygon<Point>;
using MultiPolygon = bg::model::multi_polygon<Polygon>;

struct Feature {
  std::string code;
  std::string name;
  std::string wijk_code;  // of a buurt: the wijk it belongs to
  MultiPolygon shape;
  bg::model::box<Point> bounds{};
};

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A property by name, case-insensitively (CBS exports use "buurtcode", some GIS tools
// "BUURTCODE"); numbers are accepted as codes too.
std::string property(const boost::json::object& properties, std::string_view name) {
  for (const auto& [key, value] : properties) {
    if (lower(key) != name) continue;
    if (value.is_string()) return std::string(value.get_string());
    if (value.is_int64()) return std::to_string(value.get_int64());
    if (value.is_uint64()) return std::to_string(value.get_uint64());
  }
  return {};
}

tl::expected<Polygon, std::string> read_polygon(const boost::json::value& rings) {
  if (!rings.is_array() || rings.get_array().empty()) {
    return tl::unexpected(std::string("a polygon needs at least one ring"));
  }
  Polygon polygon;
  bool outer = true;
  for (const auto& ring_value : rings.get_array()) {
    if (!ring_value.is_array() || ring_value.get_array().size() < 4) {
      return tl::unexpected(std::string("a ring needs at least four positions"));
    }
    Polygon::ring_type ring;
    for (const auto& position : ring_value.get_array()) {
      const auto* pair = position.if_array();
      if (pair == nullptr || pair->size() < 2 || !(*pair)[0].is_number() ||
          !(*pair)[1].is_number()) {
        return tl::unexpected(std::string("a position must be [longitude, latitude]"));
      }
      const double lon = (*pair)[0].to_number<double>();
      const double lat = (*pair)[1].to_number<double>();
      if (lon < -180 || lon > 180 || lat < -90 || lat > 90) {
        return tl::unexpected("coordinates [" + std::to_string(lon) + ", " + std::to_string(lat) +
                              "] are not WGS84 degrees; export the CBS file as EPSG:4326 / CRS84, "
                              "not RD New (EPSG:28992)");
      }
      ring.emplace_back(lon, lat);
    }
    if (outer) {
      polygon.outer() = std::move(ring);
      outer = false;
    } else {
      polygon.inners().push_back(std::move(ring));
    }
  }
  return polygon;
}

tl::expected<MultiPolygon, std::string> read_geometry(const boost::json::value& geometry) {
  const auto* object = geometry.if_object();
  if (object == nullptr) return tl::unexpected(std::string("has no geometry"));
  const auto* type = object->if_contains("type");
  const auto* coordinates = object->if_contains("coordinates");
  if (type == nullptr || !type->is_string() || coordinates == nullptr) {
    return tl::unexpected(std::string("geometry needs a type and coordinates"));
  }
  MultiPolygon shape;
  if (type->get_string() == "Polygon") {
    auto polygon = read_polygon(*coordinates);
    if (!polygon) return tl::unexpected(polygon.error());
    shape.push_back(std::move(*polygon));
  } else if (type->get_string() == "MultiPolygon" && coordinates->is_array()) {
    for (const auto& item : coordinates->get_array()) {
      auto polygon = read_polygon(item);
      if (!polygon) return tl::unexpected(polygon.error());
      shape.push_back(std::move(*polygon));
    }
  } else {
    return tl::unexpected("geometry type must be Polygon or MultiPolygon (got " +
                          std::string(type->is_string() ? type->get_string() : "none") + ")");
  }
  bg::correct(shape);  // closes rings and fixes their orientation
  return shape;
}

const Feature* first_covering(const std::vector<Feature>& features, const Point& point) {
  for (const Feature& feature : features) {
    if (bg::covered_by(point, feature.bounds) && bg::covered_by(point, feature.shape)) {
      return &feature;
    }
  }
  return nullptr;
}

std::vector<std::string_view> split_csv_line(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    std::string_view field = line.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!field.empty() && (field.front() == ' ' || field.front() == '"')) field.remove_prefix(1);
    while (!field.empty() && (field.back() == ' ' || field.back() == '"' || field.back() == '\r')) {
      field.remove_suffix(1);
    }
    fields.push_back(field);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

}  // namespace

struct AreaMap::Impl {
  std::vector<Feature> wijken;
  std::vector<Feature> buurten;
  std::map<std::string, std::pair<std::string, std::string>> postcodes;  // -> wijk, buurt

  Area area_of(const std::string& wijk_code, const std::string& buurt_code) const {
    Area area;
    std::string wijk = wijk_code;
    for (const Feature& buurt : buurten) {
      if (!buurt_code.empty() && buurt.code == buurt_code) {
        area.buurt_code = buurt.code;
        area.buurt_name = buurt.name;
        if (wijk.empty()) wijk = buurt.wijk_code;
        break;
      }
    }
    for (const Feature& candidate : wijken) {
      if (!wijk.empty() && candidate.code == wijk) {
        area.wijk_code = candidate.code;
        area.wijk_name = candidate.name;
        break;
      }
    }
    return area;
  }
};

AreaMap::AreaMap() : impl_(std::make_unique<Impl>()) {}
AreaMap::~AreaMap() = default;
AreaMap::AreaMap(AreaMap&&) noexcept = default;
AreaMap& AreaMap::operator=(AreaMap&&) noexcept = default;

std::string normalize_postcode(std::string_view text) {
  std::string compact;
  for (const char c : text) {
    if (c == ' ') continue;
    compact.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (compact.size() != 4 && compact.size() != 6) return {};
  for (std::size_t i = 0; i < 4; ++i) {
    if (compact[i] < '0' || compact[i] > '9') return {};
  }
  if (compact[0] == '0') return {};
  for (std::size_t i = 4; i < compact.size(); ++i) {
    if (compact[i] < 'A' || compact[i] > 'Z') return {};
  }
  return compact;
}

tl::expected<AreaMap, std::string> AreaMap::from_geojson(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(text, ec);
  if (ec) return tl::unexpected("not valid JSON: " + ec.message());
  const auto* object = root.if_object();
  const auto* type = object != nullptr ? object->if_contains("type") : nullptr;
  if (type == nullptr || !type->is_string() || type->get_string() != "FeatureCollection") {
    return tl::unexpected(std::string("not a GeoJSON FeatureCollection"));
  }
  const auto* features = object->if_contains("features");
  if (features == nullptr || !features->is_array()) {
    return tl::unexpected(std::string("a FeatureCollection needs a \"features\" array"));
  }
  AreaMap map;
  std::size_t index = 0;
  for (const auto& value : features->get_array()) {
    const std::string where = "feature " + std::to_string(index++);
    const auto* feature = value.if_object();
    if (feature == nullptr) return tl::unexpected(where + ": not an object");
    const auto* properties_value = feature->if_contains("properties");
    if (properties_value == nullptr || !properties_value->is_object()) {
      return tl::unexpected(where + ": has no properties");
    }
    const auto& properties = properties_value->get_object();
    Feature parsed;
    const std::string buurt_code = property(properties, "buurtcode");
    const std::string wijk_code = property(properties, "wijkcode");
    if (buurt_code.empty() && wijk_code.empty()) {
      return tl::unexpected(where + ": needs a wijkcode or a buurtcode property");
    }
    const auto* geometry = feature->if_contains("geometry");
    if (geometry == nullptr) return tl::unexpected(where + ": has no geometry");
    auto shape = read_geometry(*geometry);
    if (!shape) return tl::unexpected(where + ": " + shape.error());
    parsed.shape = std::move(*shape);
    parsed.bounds = bg::return_envelope<bg::model::box<Point>>(parsed.shape);
    if (!buurt_code.empty()) {
      parsed.code = buurt_code;
      parsed.name = property(properties, "buurtnaam");
      parsed.wijk_code = wijk_code;
      if (parsed.name.empty()) parsed.name = buurt_code;
      map.impl_->buurten.push_back(std::move(parsed));
    } else {
      parsed.code = wijk_code;
      parsed.name = property(properties, "wijknaam");
      if (parsed.name.empty()) parsed.name = wijk_code;
      map.impl_->wijken.push_back(std::move(parsed));
    }
  }
  if (map.impl_->wijken.empty() && map.impl_->buurten.empty()) {
    return tl::unexpected(std::string("the FeatureCollection has no features"));
  }
  return map;
}

tl::expected<void, std::string> AreaMap::add_postcodes(std::string_view csv) {
  std::size_t line_number = 0;
  int postcode_column = -1;
  int wijk_column = -1;
  int buurt_column = -1;
  std::size_t start = 0;
  while (start < csv.size()) {
    std::size_t end = csv.find('\n', start);
    if (end == std::string_view::npos) end = csv.size();
    const std::string_view line = csv.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.empty() || line == "\r" || line.front() == '#') continue;
    const auto fields = split_csv_line(line);
    if (postcode_column < 0) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string name = lower(fields[i]);
        if (name == "postcode" || name == "pc6" || name == "pc4") postcode_column = int(i);
        if (name == "wijkcode") wijk_column = int(i);
        if (name == "buurtcode") buurt_column = int(i);
      }
      if (postcode_column < 0 || (wijk_column < 0 && buurt_column < 0)) {
        return tl::unexpected("line " + std::to_string(line_number) +
                              ": the header must name a postcode column and wijkcode and/or "
                              "buurtcode");
      }
      continue;
    }
    const auto field = [&fields](int column) -> std::string {
      return column >= 0 && std::size_t(column) < fields.size() ? std::string(fields[column])
                                                                : std::string();
    };
    const std::string postcode = normalize_postcode(field(postcode_column));
    if (postcode.empty()) {
      return tl::unexpected("line " + std::to_string(line_number) + ": '" + field(postcode_column) +
                            "' is not a PC4 or PC6 postcode");
    }
    std::string wijk = field(wijk_column);
    const std::string buurt = field(buurt_column);
    if (wijk.empty() && !buurt.empty()) {
      for (const Feature& feature : impl_->buurten) {
        if (feature.code == buurt) wijk = feature.wijk_code;
      }
    }
    if (wijk.empty() && buurt.empty()) {
      return tl::unexpected("line " + std::to_string(line_number) +
                            ": needs a wijkcode or buurtcode");
    }
    impl_->postcodes[postcode] = {wijk, buurt};
  }
  if (postcode_column < 0) return tl::unexpected(std::string("the postcode table is empty"));
  return {};
}

Area AreaMap::locate(GeoPoint point) const {
  const Point at(point.longitude, point.latitude);
  Area area;
  const Feature* buurt = first_covering(impl_->buurten, at);
  const Feature* wijk = first_covering(impl_->wijken, at);
  if (buurt != nullptr) {
    area.buurt_code = buurt->code;
    area.buurt_name = buurt->name;
    if (wijk == nullptr) {
      for (const Feature& candidate : impl_->wijken) {
        if (candidate.code == buurt->wijk_code) wijk = &candidate;
      }
    }
  }
  if (wijk != nullptr) {
    area.wijk_code = wijk->code;
    area.wijk_name = wijk->name;
  }
  return area;
}

std::optional<Area> AreaMap::locate_postcode(std::string_view postcode) const {
  const std::string normalized = normalize_postcode(postcode);
  if (normalized.empty()) return std::nullopt;
  auto found = impl_->postcodes.find(normalized);
  if (found == impl_->postcodes.end() && normalized.size() == 6) {
    found = impl_->postcodes.find(normalized.substr(0, 4));
  }
  if (found == impl_->postcodes.end()) return std::nullopt;
  Area area = impl_->area_of(found->second.first, found->second.second);
  if (area.wijk_code == kUnknownArea && !found->second.first.empty()) {
    area.wijk_code = found->second.first;  // a code the polygons do not name
  }
  return area;
}

std::vector<AreaShape> AreaMap::shapes(AreaShape::Level level) const {
  const std::vector<Feature>& features =
      level == AreaShape::Level::wijk ? impl_->wijken : impl_->buurten;
  const auto ring_points = [](const auto& ring) {
    std::vector<GeoPoint> points;
    points.reserve(ring.size());
    for (const Point& point : ring) points.push_back(GeoPoint{point.y(), point.x()});
    return points;
  };
  std::vector<AreaShape> shapes;
  shapes.reserve(features.size());
  for (const Feature& feature : features) {
    AreaShape shape;
    shape.level = level;
    shape.code = feature.code;
    shape.name = feature.name;
    shape.wijk_code = level == AreaShape::Level::wijk ? feature.code : feature.wijk_code;
    for (const Polygon& polygon : feature.shape) {
      std::vector<std::vector<GeoPoint>> rings;
      rings.push_back(ring_points(polygon.outer()));
      for (const auto& inner : polygon.inners()) rings.push_back(ring_points(inner));
      shape.polygons.push_back(std::move(rings));
    }
    shapes.push_back(std::move(shape));
  }
  return shapes;
}

std::vector<std::string> AreaMap::names() const {
  std::vector<std::string> names;
  for (const auto* features : {&impl_->wijken, &impl_->buurten}) {
    std::vector<std::string> part;
    for (const Feature& feature : *features) {
      if (!feature.name.empty()) part.push_back(feature.name);
    }
    std::sort(part.begin(), part.end());
    for (std::string& name : part) {
      if (std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(std::move(name));
    }
  }
  return names;
}

std::size_t AreaMap::wijk_count() const {
  return impl_->wijken.size();
}
std::size_t AreaMap::buurt_count() const {
  return impl_->buurten.size();
}
std::size_t AreaMap::postcode_count() const {
  return impl_->postcodes.size();
}

}  // namespace buurtlijn::cases
