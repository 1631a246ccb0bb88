// Escaping by default, and the parsers of what a browser sends.
#include "admin/html.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

namespace buurtlijn::admin {
namespace {

TEST_CASE("admin: strings put into a template are escaped; Html made by fill() is not") {
  const std::string hostile = R"(<script>alert("x")</script> & 'quote')";
  const Html inner = fill("<b>{{name}}</b>", {{"name", hostile}});
  CHECK(inner.str() ==
        "<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quote&#39;</b>");
  const Html outer = fill(R"(<p title="{{title}}">{{inner}}</p>)",
                          {{"title", std::string("a\"b")}, {"inner", inner}});
  CHECK(outer.str() == "<p title=\"a&quot;b\">" + inner.str() + "</p>");
  CHECK(fill("{{a}}{{a}}", {{"a", std::string("<")}}).str() == "&lt;&lt;");
}

TEST_CASE("admin: a placeholder without a value is a bug, not an empty string") {
  CHECK_THROWS_AS(fill("{{missing}}", {}), std::logic_error);
  CHECK_THROWS_AS(fill("{{open", {}), std::logic_error);
}

TEST_CASE("admin: forms and query strings are decoded") {
  const auto form = parse_form("name=anna&text=Bun%C4%83+ziua%21&empty=&flag&bad=%zz%4");
  CHECK(form.at("name") == "anna");
  CHECK(form.at("text") == "Bună ziua!");
  CHECK(form.at("empty").empty());
  CHECK(form.at("flag").empty());
  CHECK(form.at("bad") == "%zz%4");
  CHECK(parse_form("").empty());
  CHECK(url_decode(url_encode("a b/ç?&=")) == "a b/ç?&=");
  CHECK(url_encode("nodes.x_y-z~") == "nodes.x_y-z~");
}

TEST_CASE("admin: cookies are found by exact name") {
  const std::string header = "bl_admin_lang=en; xbl_session=evil; bl_session=abc123";
  CHECK(cookie_value(header, "bl_session") == "abc123");
  CHECK(cookie_value(header, "bl_admin_lang") == "en");
  CHECK(cookie_value(header, "none").empty());
  CHECK(cookie_value("", "bl_session").empty());
}

}  // namespace
}  // namespace buurtlijn::admin
