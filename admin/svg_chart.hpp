// Server-rendered SVG charts for the console's dashboard: no script, no styles inline
// (classes only, styled by admin.css), escaped labels (built with html.hpp's fill()).
// Each chart is an <svg role="img"> with a <title> and the values as data-value
// attributes, next to which the page puts the same figures as a table. Pure; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "admin/html.hpp"

namespace buurtlijn::admin {

struct Bar {
  std::string label;
  double value = 0;
};

// A horizontal bar chart, bars scaled to the largest value (all zero: no bar drawn).
Html bar_chart(std::string_view title, const std::vector<Bar>& bars);

// Formats a value as the charts print it: integers without decimals, else one decimal.
std::string chart_number(double value);

// Where a point of [0, max] lands on an axis of `length` pixels (0 when max <= 0).
double scale(double value, double max, double length);

}  // namespace buurtlijn::admin
