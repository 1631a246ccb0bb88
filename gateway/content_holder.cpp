// Loading the content catalogs: the only place that reads locales/ from disk (dialogs/
// parses, it never does I/O). See content_holder.hpp.
#include "gateway/content_holder.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "locales/embedded.hpp"

namespace buurtlijn::gateway {

tl::expected<std::vector<std::pair<std::string, std::string>>, std::string> read_content_files(
    const std::string& locales_dir) {
  std::vector<std::pair<std::string, std::string>> files;
  if (locales_dir.empty()) {
    for (const auto& [name, text] : locales::embedded_files()) {
      files.emplace_back(std::string(name), std::string(text));
    }
    return files;
  }
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(locales_dir, error)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    files.emplace_back(entry.path().filename().string(), text.str());
  }
  if (error) return tl::unexpected("cannot read " + locales_dir + ": " + error.message());
  std::sort(files.begin(), files.end());
  return files;
}

tl::expected<std::shared_ptr<const dialogs::Content>, std::string> load_content(
    const std::string& locales_dir) {
  auto loaded = load_content_and_files(locales_dir);
  if (!loaded) return tl::unexpected(loaded.error());
  return std::move(loaded->content);
}

tl::expected<LoadedContent, std::string> load_content_and_files(const std::string& locales_dir) {
  auto files = read_content_files(locales_dir);
  if (!files) return tl::unexpected(files.error());
  auto content = dialogs::parse_content(*files);
  if (!content) return tl::unexpected(content.error().describe());
  return LoadedContent{std::move(*files), std::move(*content)};
}

}  // namespace buurtlijn::gateway
