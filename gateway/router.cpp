// Route matching; see router.hpp.
#include "gateway/router.hpp"

#include <algorithm>

namespace buurtlijn::gateway {

Router::Router(std::vector<Route> routes) : routes_(std::move(routes)) {}

std::string_view path_of(std::string_view target) {
  const auto query = target.find_first_of("?#");
  return query == std::string_view::npos ? target : target.substr(0, query);
}

namespace {
// Returns the "*" part, or nothing when the path does not fit the pattern.
std::optional<std::string_view> fit(std::string_view pattern, std::string_view path) {
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == "/*") {
    const std::string_view prefix = pattern.substr(0, pattern.size() - 1);
    if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) {
      return std::nullopt;
    }
    const std::string_view rest = path.substr(prefix.size());
    if (rest.find('/') != std::string_view::npos) return std::nullopt;
    return rest;
  }
  if (pattern == path) return std::string_view{};
  return std::nullopt;
}
}  // namespace

RouteMatch Router::match(http::verb method, std::string_view target) const {
  const std::string_view path = path_of(target);
  RouteMatch result;
  for (const Route& route : routes_) {
    const auto parameter = fit(route.pattern, path);
    if (!parameter) continue;
    const bool allowed =
        std::find(route.methods.begin(), route.methods.end(), method) != route.methods.end() ||
        (method == http::verb::head && std::find(route.methods.begin(), route.methods.end(),
                                                 http::verb::get) != route.methods.end());
    if (allowed) {
      result.kind = RouteMatch::Kind::found;
      result.route = &route;
      result.parameter = *parameter;
      return result;
    }
    result.kind = RouteMatch::Kind::method_not_allowed;
    for (http::verb verb : route.methods) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += std::string(http::to_string(verb));
      if (verb == http::verb::get) result.allow += ", HEAD";
    }
  }
  return result;
}

}  // namespace buurtlijn::gateway
