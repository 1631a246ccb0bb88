// locales/cases/*.yaml compiled into the binary (cmake/embed.cmake), as {"ro.yaml", text}
// pairs. Thread-safe: immutable data, built once.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace buurtlijn::cases {

const std::vector<std::pair<std::string_view, std::string_view>>& embedded_status_text_files();

}  // namespace buurtlijn::cases
