// See static_assets.hpp.
#include "gateway/static_assets.hpp"

#include <cstdint>
#include <cstdio>

#include "gateway/webchat/assets.hpp"

namespace buurtlijn::gateway {
namespace {
bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// FNV-1a: a cheap, stable fingerprint of the bytes; not a security measure.
std::string fingerprint(std::string_view bytes) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  char text[24];
  std::snprintf(text, sizeof text, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}
}  // namespace

std::string content_type_for(std::string_view name) {
  if (ends_with(name, ".html")) return "text/html; charset=utf-8";
  if (ends_with(name, ".js")) return "text/javascript; charset=utf-8";
  if (ends_with(name, ".css")) return "text/css; charset=utf-8";
  if (ends_with(name, ".svg")) return "image/svg+xml";
  if (ends_with(name, ".png")) return "image/png";
  if (ends_with(name, ".json")) return "application/json";
  if (ends_with(name, ".webmanifest")) return "application/manifest+json";
  return "application/octet-stream";
}

StaticAssets::StaticAssets() {
  for (const auto& [name, body] : webchat::embedded_assets()) {
    assets_.emplace(std::string(name),
                    StaticAsset{body, content_type_for(name), fingerprint(body)});
  }
}

const StaticAsset* StaticAssets::find(std::string_view name) const {
  const auto found = assets_.find(std::string(name));
  return found == assets_.end() ? nullptr : &found->second;
}

}  // namespace buurtlijn::gateway
