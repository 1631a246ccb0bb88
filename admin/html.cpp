// See html.hpp.
#include "admin/html.hpp"

#include <stdexcept>

namespace buurtlijn::admin {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Html fill(std::string_view tmpl,
          std::initializer_list<std::pair<std::string_view, HtmlValue>> values) {
  std::string out;
  out.reserve(tmpl.size() * 2);
  std::size_t at = 0;
  while (at < tmpl.size()) {
    const std::size_t open = tmpl.find("{{", at);
    if (open == std::string_view::npos) {
      out.append(tmpl.substr(at));
      break;
    }
    out.append(tmpl.substr(at, open - at));
    const std::size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) throw std::logic_error("template: unclosed {{");
    const std::string_view name = tmpl.substr(open + 2, close - open - 2);
    const HtmlValue* value = nullptr;
    for (const auto& entry : values) {
      if (entry.first == name) value = &entry.second;
    }
    if (value == nullptr)
      throw std::logic_error("template: no value for {{" + std::string(name) + "}}");
    if (const auto* text = std::get_if<std::string>(value)) {
      out += escape_html(*text);
    } else {
      out += std::get<Html>(*value).str();
    }
    at = close + 2;
  }
  return Html(std::move(out));
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4U];
      out += kHex[byte & 0x0FU];
    }
  }
  return out;
}

std::map<std::string, std::string, std::less<>> parse_form(std::string_view body) {
  std::map<std::string, std::string, std::less<>> fields;
  std::size_t at = 0;
  while (at <= body.size()) {
    std::size_t end = body.find('&', at);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view pair = body.substr(at, end - at);
    if (!pair.empty()) {
      const std::size_t equals = pair.find('=');
      if (equals == std::string_view::npos) {
        fields[url_decode(pair)] = "";
      } else {
        fields[url_decode(pair.substr(0, equals))] = url_decode(pair.substr(equals + 1));
      }
    }
    at = end + 1;
  }
  return fields;
}

std::string cookie_value(std::string_view header, std::string_view name) {
  std::size_t at = 0;
  while (at < header.size()) {
    std::size_t end = header.find(';', at);
    if (end == std::string_view::npos) end = header.size();
    std::string_view pair = header.substr(at, end - at);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
      return std::string(pair.substr(equals + 1));
    }
    at = end + 1;
  }
  return {};
}

}  // namespace buurtlijn::admin
