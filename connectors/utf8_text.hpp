// Small text helpers the connectors share: counting and cutting UTF-8 by code point
// (providers count characters, not bytes) and menus as numbered text. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connectors/channel.hpp"

namespace buurtlijn::connectors {

std::size_t code_points(std::string_view text);

// At most max_chars code points; a cut text ends in "…". Never cuts inside a character.
std::string truncate_code_points(std::string_view text, std::size_t max_chars);

// "text\n\n1. first\n2. second": menus on channels without buttons (SMS, long lists).
std::string numbered_choices(std::string_view text, const std::vector<Choice>& choices);

}  // namespace buurtlijn::connectors
