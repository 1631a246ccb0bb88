// Server-side HTML for the console, escaped by default: a placeholder {{name}} filled
// with a std::string is HTML-escaped; only a value that is already Html (built by fill()
// itself) goes in as it is. There is no way to insert an unescaped string by accident.
// Also the small parsers of what a browser sends: forms, query strings and cookies.
// Pure functions; thread-safe.
#pragma once

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace buurtlijn::admin {

std::string escape_html(std::string_view text);

// A piece of HTML that is safe to insert: only fill() makes one.
class Html {
 public:
  Html() = default;
  const std::string& str() const { return text_; }
  Html& operator+=(const Html& more) {
    text_ += more.text_;
    return *this;
  }
  bool empty() const { return text_.empty(); }

 private:
  friend Html fill(
      std::string_view,
      std::initializer_list<std::pair<std::string_view, std::variant<std::string, Html>>>);
  explicit Html(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

using HtmlValue = std::variant<std::string, Html>;

// Replaces each {{name}} in `tmpl` (trusted markup written in this program) with its
// value: strings escaped, Html as is. A placeholder without a value is a bug: it throws
// std::logic_error.
Html fill(std::string_view tmpl,
          std::initializer_list<std::pair<std::string_view, HtmlValue>> values = {});

// application/x-www-form-urlencoded (a form body or a query string), decoded. A repeated
// name keeps its last value. Invalid percent escapes are kept as they are.
std::map<std::string, std::string, std::less<>> parse_form(std::string_view body);
std::string url_decode(std::string_view text);
std::string url_encode(std::string_view text);
// The value of cookie `name` in a Cookie header, or "".
std::string cookie_value(std::string_view header, std::string_view name);

}  // namespace buurtlijn::admin
