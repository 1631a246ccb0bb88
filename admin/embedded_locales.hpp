// locales/admin/ and admin/assets/ built into the executable (cmake/embed.cmake), as
// {name, bytes} pairs. Thread-safe: immutable data.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace buurtlijn::admin {
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_locale_files();
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_assets();
}  // namespace buurtlijn::admin
