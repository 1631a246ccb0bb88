// The content snapshot every conversation reads: swapped atomically when content is
// edited (later, from the console), so a running turn keeps the snapshot it started
// with and the next turn sees the new one, without a restart. Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "dialogs/content.hpp"

namespace buurtlijn::gateway {

class ContentHolder {
 public:
  std::shared_ptr<const dialogs::Content> current() const { return content_.load(); }
  void publish(std::shared_ptr<const dialogs::Content> content) { content_.store(content); }

 private:
  std::atomic<std::shared_ptr<const dialogs::Content>> content_;
};

// The content files ({"ro.yaml", text} pairs) of `locales_dir`, or the built-in ones
// when it is empty.
tl::expected<std::vector<std::pair<std::string, std::string>>, std::string> read_content_files(
    const std::string& locales_dir);

// Loads the catalogs from `locales_dir`, or from the copy built into the executable when
// it is empty; problems are listed one per line.
tl::expected<std::shared_ptr<const dialogs::Content>, std::string> load_content(
    const std::string& locales_dir);

// The files and the content parsed from them, for the server, whose console keeps the
// files to apply edits to (parsing the catalogs takes most of the start-up time).
struct LoadedContent {
  std::vector<std::pair<std::string, std::string>> files;
  std::shared_ptr<const dialogs::Content> content;
};
tl::expected<LoadedContent, std::string> load_content_and_files(const std::string& locales_dir);

}  // namespace buurtlijn::gateway
