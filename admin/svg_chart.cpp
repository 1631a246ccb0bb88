// See svg_chart.hpp.
#include "admin/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace buurtlijn::admin {

std::string chart_number(double value) {
  char text[32];
  if (std::abs(value - std::round(value)) < 1e-9) {
    std::snprintf(text, sizeof text, "%.0f", value);
  } else {
    std::snprintf(text, sizeof text, "%.1f", value);
  }
  return text;
}

double scale(double value, double max, double length) {
  if (max <= 0 || value <= 0) return 0;
  return std::min(value, max) / max * length;
}

Html bar_chart(std::string_view title, const std::vector<Bar>& bars) {
  constexpr double kLabelWidth = 180;
  constexpr double kBarArea = 300;
  constexpr double kRow = 24;
  double max = 0;
  for (const Bar& bar : bars) max = std::max(max, bar.value);
  Html rows;
  double y = 0;
  for (const Bar& bar : bars) {
    const double width = scale(bar.value, max, kBarArea);
    rows += fill(
        R"(<g class="bar"><text x="0" y="{{ty}}" class="label">{{label}}</text><rect x="{{x}}" y="{{y}}" width="{{w}}" height="18" data-value="{{value}}"></rect><text x="{{vx}}" y="{{ty}}" class="value">{{value}}</text></g>)",
        {{"ty", chart_number(y + 14)},
         {"label", bar.label},
         {"x", chart_number(kLabelWidth)},
         {"y", chart_number(y + 2)},
         {"w", chart_number(width)},
         {"value", chart_number(bar.value)},
         {"vx", chart_number(kLabelWidth + width + 6)}});
    y += kRow;
  }
  const double height = std::max(kRow, y);
  return fill(
      R"(<svg class="chart" role="img" aria-label="{{title}}" viewBox="0 0 {{w}} {{h}}" width="{{w}}" height="{{h}}" xmlns="http://www.w3.org/2000/svg"><title>{{title}}</title>{{rows}}</svg>)",
      {{"title", std::string(title)},
       {"w", chart_number(kLabelWidth + kBarArea + 60)},
       {"h", chart_number(height)},
       {"rows", rows}});
}

}  // namespace buurtlijn::admin
