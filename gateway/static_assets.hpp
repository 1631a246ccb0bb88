// The web chat's files, built into the executable: looked up by name with their content
// type and an ETag so cheap phones revalidate instead of downloading again.
// Immutable after construction; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace buurtlijn::gateway {

struct StaticAsset {
  std::string_view body;
  std::string content_type;
  std::string etag;  // quoted, as sent in the header
};

class StaticAssets {
 public:
  StaticAssets();  // loads the embedded web chat assets
  const StaticAsset* find(std::string_view name) const;

 private:
  std::unordered_map<std::string, StaticAsset> assets_;
};

std::string content_type_for(std::string_view name);

}  // namespace buurtlijn::gateway
