// See case_runtime.hpp.
#include "gateway/case_runtime.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "connectors/kannel/kannel.hpp"
#include "connectors/outbound_payload.hpp"
#include "connectors/webchat/webchat_frames.hpp"
#include "gateway/media_jobs.hpp"
#include "gateway/photo_files.hpp"

namespace buurtlijn::gateway {
namespace {

constexpr std::size_t kMaxAreaFileBytes = std::size_t{256} * 1024 * 1024;

cases::PayloadRenderer make_renderer(const Config& config) {
  const unsigned sms_segments = config.outbox.sms_max_segments;
  return [sms_segments](std::string_view channel, std::string_view text,
                        std::string_view language) {
    static const std::set<std::string_view> kRightToLeft{"ar", "fa"};
    std::vector<std::string> payloads;
    if (channel == "webchat") {
      connectors::webchat::BotMessage message;
      message.text = std::string(text);
      message.language = std::string(language);
      message.right_to_left = kRightToLeft.count(language) != 0;
      payloads.push_back(connectors::webchat::render_outbox_payload(message));
      return payloads;
    }
    connectors::OutboundMessage message;
    message.language = std::string(language);
    if (channel == "kannel") {
      for (std::string& part : connectors::kannel::split_message(std::string(text), sms_segments)) {
        message.text = std::move(part);
        payloads.push_back(connectors::encode_outbound_payload(message));
      }
      return payloads;
    }
    message.text = std::string(text);
    payloads.push_back(connectors::encode_outbound_payload(message));
    return payloads;
  };
}

}  // namespace

std::string imported_areas_geojson(const Config& config) {
  return (std::filesystem::path(config.store.data_dir) / "areas" / "areas.geojson").string();
}

std::string imported_postcodes_csv(const Config& config) {
  return (std::filesystem::path(config.store.data_dir) / "areas" / "postcodes.csv").string();
}

tl::expected<std::string, std::string> read_text_file(const std::string& path,
                                                      std::size_t max_bytes) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) return tl::unexpected("cannot read " + path + ": " + error.message());
  if (size > max_bytes)
    return tl::unexpected(path + " is larger than " + std::to_string(max_bytes) + " bytes");
  std::ifstream file(path, std::ios::binary);
  if (!file) return tl::unexpected("cannot read " + path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

tl::expected<std::shared_ptr<const CaseRuntime>, std::string> load_case_runtime(
    const Config& config) {
  auto runtime = std::make_shared<CaseRuntime>();
  runtime->settings = config.cases;
  runtime->render = make_renderer(config);
  runtime->forwarding = config.forwarding;
  runtime->fetch_photos = media_jobs_enabled(config);
  runtime->photos_dir = photos_dir(config.store.data_dir).string();
  auto texts = cases::StatusTexts::embedded();
  if (!texts) return tl::unexpected("status texts: " + texts.error());
  runtime->texts = std::move(*texts);

  std::string geojson = config.cases.areas_geojson;
  std::string postcodes = config.cases.postcodes_csv;
  std::error_code ignored;
  if (geojson.empty() && std::filesystem::exists(imported_areas_geojson(config), ignored)) {
    geojson = imported_areas_geojson(config);
  }
  if (postcodes.empty() && std::filesystem::exists(imported_postcodes_csv(config), ignored)) {
    postcodes = imported_postcodes_csv(config);
  }
  if (!geojson.empty()) {
    auto text = read_text_file(geojson, kMaxAreaFileBytes);
    if (!text) return tl::unexpected(text.error());
    auto map = cases::AreaMap::from_geojson(*text);
    if (!map) return tl::unexpected(geojson + ": " + map.error());
    runtime->areas = std::move(*map);
    runtime->areas_file = geojson;
  }
  if (!postcodes.empty()) {
    auto text = read_text_file(postcodes, kMaxAreaFileBytes);
    if (!text) return tl::unexpected(text.error());
    if (auto added = runtime->areas.add_postcodes(*text); !added) {
      return tl::unexpected(postcodes + ": " + added.error());
    }
  }
  return std::shared_ptr<const CaseRuntime>(std::move(runtime));
}

}  // namespace buurtlijn::gateway
