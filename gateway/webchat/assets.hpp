// The web chat's static files (assets/), compiled into the executable by CMake.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace buurtlijn::gateway::webchat {
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_assets();
}
