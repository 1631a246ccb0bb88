// The "media" section of the configuration (see buurtlijn.example.yaml): how report
// photos are fetched from WhatsApp and Telegram (gateway/media_jobs.hpp). Parsed here so
// that config.cpp only hands the section over.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <tl/expected.hpp>
#include <vector>

namespace YAML {
class Node;
}

namespace buurtlijn::gateway {

struct ConfigError;

struct MediaConfig {
  bool enabled = true;                       // false: photo references are kept, nothing is fetched
  std::size_t max_bytes = 10 * 1024 * 1024;  // a larger photo is refused while it streams
  // The hosts a download URL may point at (SSRF allow-list), per channel. WhatsApp's
  // lookup answers a lookaside.fbsbx.com URL; Telegram's files are on its API host.
  std::vector<std::string> whatsapp_hosts{"lookaside.fbsbx.com", "graph.facebook.com"};
  std::vector<std::string> telegram_hosts{"api.telegram.org"};
  std::chrono::milliseconds download_timeout{60'000};  // one lookup or download
  double downloads_per_second = 2.0;                   // pacing of the media jobs
};

// Reads the section into `media`; unknown keys, wrong types and bad values are refused
// with the dotted key.
tl::expected<void, ConfigError> parse_media_section(const YAML::Node& node, MediaConfig& media);

}  // namespace buurtlijn::gateway
