// Neighbourhood mapping: which wijk and buurt of the municipality a report is in.
//
// An AreaMap is built from a GeoJSON FeatureCollection of wijk and buurt polygons in
// WGS84 longitude/latitude (the illustrative data/areas/deventer-illustrative.geojson,
// or the official CBS "wijken en buurten" export with properties wijkcode/wijknaam and
// buurtcode/buurtnaam) and an optional postcode table (CSV: postcode,wijkcode,buurtcode
// with PC4 "7425" or PC6 "7425AB" rows). A point on a polygon's border counts as inside
// (the first feature in file order wins); a point or postcode nothing covers maps to
// the "unknown" area, which is a valid answer: the report is kept.
//
// Pure: parsing takes the file text, lookups read only the map. Immutable once built,
// so one map is shared by any number of threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace buurtlijn::cases {

inline constexpr std::string_view kUnknownArea = "unknown";

struct Area {
  std::string wijk_code = std::string(kUnknownArea);
  std::string wijk_name = std::string(kUnknownArea);
  std::string buurt_code = std::string(kUnknownArea);
  std::string buurt_name = std::string(kUnknownArea);
  bool known() const { return wijk_code != kUnknownArea || buurt_code != kUnknownArea; }
};

struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
};

// The outline of one wijk or buurt as read from the GeoJSON, for drawing (the console's
// choropleth): polygons, each a list of rings (the outer ring first, then its holes),
// each a closed list of points.
struct AreaShape {
  enum class Level { wijk, buurt };
  Level level = Level::wijk;
  std::string code;
  std::string name;
  std::string wijk_code;  // of a buurt: the wijk it belongs to; of a wijk: its own code
  std::vector<std::vector<std::vector<GeoPoint>>> polygons;
};

// "7425 ab" -> "7425AB", "7425" -> "7425"; empty when it is not a Dutch PC4 or PC6.
std::string normalize_postcode(std::string_view text);

class AreaMap {
 public:
  AreaMap();  // empty: everything is unknown
  ~AreaMap();
  AreaMap(AreaMap&&) noexcept;
  AreaMap& operator=(AreaMap&&) noexcept;

  // Parses a GeoJSON FeatureCollection. Fails with a reason naming the feature (its
  // index) when the text is not JSON, not a FeatureCollection, a feature has no
  // wijkcode/buurtcode, its geometry is not a (Multi)Polygon, or the coordinates are not
  // WGS84 degrees (RD New metres are refused with a hint).
  static tl::expected<AreaMap, std::string> from_geojson(std::string_view text);

  // Adds the postcode table (CSV with a header row naming postcode, wijkcode and
  // buurtcode columns, in any order). Fails naming the line on a bad row.
  tl::expected<void, std::string> add_postcodes(std::string_view csv);

  // The area covering the point (border included); unknown when none does.
  Area locate(GeoPoint point) const;
  // The area of a PC6 postcode, else of its PC4; nullopt when the table has neither.
  std::optional<Area> locate_postcode(std::string_view postcode) const;

  // The outlines of one level, in file order (empty when the map has none).
  std::vector<AreaShape> shapes(AreaShape::Level level) const;

  // The wijk names, then the buurt names, each sorted, without repeats (for choosing an
  // area, e.g. a broadcast's segment).
  std::vector<std::string> names() const;
  std::size_t wijk_count() const;
  std::size_t buurt_count() const;
  std::size_t postcode_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace buurtlijn::cases
