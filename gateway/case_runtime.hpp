// What the case handling needs at run time, loaded once at start (server and CLI): the
// area map (configured files, else the files `buurtlijn areas import` put under
// <data-dir>/areas/, else none: every area is "unknown"), the status texts, the
// settings; and the renderer of reporter updates for each channel's outbox.
//
// Thread safety: immutable once loaded; shared by every connection.
#pragma once

#include <memory>
#include <string>
#include <tl/expected.hpp>

#include "cases/areas.hpp"
#include "cases/case_service.hpp"
#include "cases/status_texts.hpp"
#include "gateway/config.hpp"
#include "gateway/forwarders_config.hpp"

namespace buurtlijn::gateway {

struct CaseRuntime {
  cases::CasesSettings settings;
  cases::AreaMap areas;
  cases::StatusTexts texts;
  std::string areas_file;  // the GeoJSON used, empty when none
  cases::PayloadRenderer render;
  ForwardingConfig forwarding;  // the teams' forwarders, for reports made in the chat
  // Chat photos are fetched (gateway/media_jobs.hpp); when not, a report keeps only the
  // provider's reference and no media job is queued.
  bool fetch_photos = false;
  std::string photos_dir;  // where stored photos are (gateway/photo_files.hpp)
};

// Reads the area files (boundary: does I/O). Fails naming the file and the problem.
tl::expected<std::shared_ptr<const CaseRuntime>, std::string> load_case_runtime(
    const Config& config);

// Where `areas import` stores the files.
std::string imported_areas_geojson(const Config& config);
std::string imported_postcodes_csv(const Config& config);

// Reads a whole file; fails with a reason naming it.
tl::expected<std::string, std::string> read_text_file(const std::string& path,
                                                      std::size_t max_bytes);

}  // namespace buurtlijn::gateway
