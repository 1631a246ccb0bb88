// Stored report photos on disk: <data_dir>/photos/<id>, one file per photo, where <id>
// is 32 random hex digits (no subject, phone number or report in the name), the folder
// 0700 and each file 0600. The database says which photos are still wanted
// (reports.photo_ref = "photo:<id>"); a file nobody references any more (retention,
// erasure, a crash between writing it and committing its reference) is deleted by
// sweep_photos(). Only metadata-stripped bytes are ever written here.
//
// Thread-safe: plain file-system calls; no state.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

namespace buurtlijn::gateway {

inline constexpr std::string_view kStoredPhotoPrefix = "photo:";

std::filesystem::path photos_dir(const std::string& data_dir);

// True for a well-formed photo id (32 lower-case hex digits).
bool is_photo_id(std::string_view id);

// The id in "photo:<id>", or nullopt.
std::optional<std::string> stored_photo_id(std::string_view photo_ref);

// Writes `bytes` to a new file with a fresh random id (created exclusively, 0600, synced).
tl::expected<std::string, std::string> write_photo(const std::filesystem::path& dir,
                                                   std::string_view bytes);

// The bytes of photo `id`; nullopt when it does not exist or the id is malformed.
std::optional<std::string> read_photo(const std::filesystem::path& dir, std::string_view id);

// Deletes photo `id`; true when a file was deleted.
bool delete_photo(const std::filesystem::path& dir, std::string_view id);

// Deletes every photo file whose id is not in `referenced` and whose last change is older
// than `min_age` (a younger file may belong to a job about to commit its reference).
// Returns the number deleted; files that are not photos are left alone.
std::int64_t sweep_photos(const std::filesystem::path& dir,
                          const std::vector<std::string>& referenced, std::chrono::seconds min_age);

}  // namespace buurtlijn::gateway
