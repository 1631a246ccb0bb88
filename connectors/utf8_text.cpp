// See utf8_text.hpp.
#include "connectors/utf8_text.hpp"

namespace buurtlijn::connectors {
namespace {
bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}
}  // namespace

std::size_t code_points(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) {
    if (!is_continuation(c)) ++count;
  }
  return count;
}

std::string truncate_code_points(std::string_view text, std::size_t max_chars) {
  if (code_points(text) <= max_chars) return std::string(text);
  if (max_chars == 0) return {};
  std::size_t count = 0;
  std::size_t at = 0;
  while (at < text.size() && count < max_chars - 1) {
    ++at;
    while (at < text.size() && is_continuation(text[at])) ++at;
    ++count;
  }
  return std::string(text.substr(0, at)) + "…";
}

std::string numbered_choices(std::string_view text, const std::vector<Choice>& choices) {
  std::string out(text);
  for (std::size_t i = 0; i < choices.size(); ++i) {
    out += (i == 0 ? "\n\n" : "\n") + std::to_string(i + 1) + ". " + choices[i].label;
  }
  return out;
}

}  // namespace buurtlijn::connectors
