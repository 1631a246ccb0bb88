// The dashboard's SVG bar charts: scaling, numbers, escaping, accessible title.
#include "admin/svg_chart.hpp"

#include <doctest/doctest.h>

namespace buurtlijn::admin {
namespace {

TEST_CASE("admin: chart values scale to the largest bar and are printed plainly") {
  CHECK(scale(5, 10, 300) == doctest::Approx(150));
  CHECK(scale(10, 10, 300) == doctest::Approx(300));
  CHECK(scale(0, 10, 300) == doctest::Approx(0));
  CHECK(scale(3, 0, 300) == doctest::Approx(0));
  CHECK(chart_number(12) == "12");
  CHECK(chart_number(2.25) == "2.2");  // printf rounding of the binary value
  CHECK(chart_number(7.5) == "7.5");
}

TEST_CASE("admin: a bar chart is an accessible SVG with escaped labels and its values") {
  const Html svg =
      bar_chart("Meldingen <per wijk>", {{"Binnenstad & Noord", 4}, {"Keizerslanden", 2}});
  const std::string& text = svg.str();
  CHECK(text.find(R"(role="img")") != std::string::npos);
  CHECK(text.find("<title>Meldingen &lt;per wijk&gt;</title>") != std::string::npos);
  CHECK(text.find("Binnenstad &amp; Noord") != std::string::npos);
  CHECK(text.find(R"(width="300" height="18" data-value="4")") != std::string::npos);
  CHECK(text.find(R"(width="150" height="18" data-value="2")") != std::string::npos);
  CHECK(text.find("<script") == std::string::npos);
  CHECK(text.find("style=") == std::string::npos);
}

TEST_CASE("admin: a chart of zeros draws no bars but stays valid") {
  const std::string text = bar_chart("Leeg", {{"a", 0}}).str();
  CHECK(text.find(R"(width="0" height="18" data-value="0")") != std::string::npos);
  CHECK(bar_chart("Niets", {}).str().find("</svg>") != std::string::npos);
}

}  // namespace
}  // namespace buurtlijn::admin
