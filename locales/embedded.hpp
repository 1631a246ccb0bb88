// The files of locales/ compiled into the binary (cmake/embed.cmake): the dialog tree,
// the shared variables and one catalog per language, as {name relative to locales/,
// bytes} pairs such as {"ro.yaml", "..."}. Thread-safe: the data is immutable and the
// vector is built once, on first use.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace buurtlijn::locales {

const std::vector<std::pair<std::string_view, std::string_view>>& embedded_files();

}  // namespace buurtlijn::locales
