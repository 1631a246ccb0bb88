// Route matching: exact paths, one-segment wildcards, 404 and 405 with Allow.
#include "gateway/router.hpp"

#include <doctest/doctest.h>

#include "gateway/app.hpp"

using namespace buurtlijn::gateway;

TEST_CASE("the server's routes match what they should and nothing else") {
  const Router router = make_router();
  struct Case {
    http::verb method;
    const char* target;
    RouteMatch::Kind kind;
    const char* route;
    const char* parameter;
  };
  const Case cases[] = {
      {http::verb::get, "/", RouteMatch::Kind::found, "webchat_page", ""},
      {http::verb::get, "/?embed=1", RouteMatch::Kind::found, "webchat_page", ""},
      {http::verb::head, "/", RouteMatch::Kind::found, "webchat_page", ""},
      {http::verb::get, "/webchat/chat.js", RouteMatch::Kind::found, "webchat_asset", "chat.js"},
      {http::verb::get, "/webchat/languages.json", RouteMatch::Kind::found, "webchat_languages",
       ""},
      {http::verb::get, "/webchat/ws", RouteMatch::Kind::found, "webchat_socket", ""},
      {http::verb::get, "/healthz", RouteMatch::Kind::found, "healthz", ""},
      {http::verb::get, "/readyz", RouteMatch::Kind::found, "readyz", ""},
      {http::verb::get, "/metrics", RouteMatch::Kind::found, "metrics", ""},
      {http::verb::get, "/webchat/", RouteMatch::Kind::not_found, nullptr, nullptr},
      {http::verb::get, "/webchat/a/b.js", RouteMatch::Kind::not_found, nullptr, nullptr},
      {http::verb::get, "/healthz/x", RouteMatch::Kind::not_found, nullptr, nullptr},
      {http::verb::get, "/nope", RouteMatch::Kind::not_found, nullptr, nullptr},
      {http::verb::post, "/healthz", RouteMatch::Kind::method_not_allowed, nullptr, nullptr},
      {http::verb::delete_, "/", RouteMatch::Kind::method_not_allowed, nullptr, nullptr},
  };
  for (const Case& c : cases) {
    CAPTURE(c.target);
    const RouteMatch match = router.match(c.method, c.target);
    CHECK(match.kind == c.kind);
    if (c.route != nullptr) {
      REQUIRE(match.route != nullptr);
      CHECK(match.route->name == c.route);
      CHECK(match.parameter == c.parameter);
      CHECK(match.route->body_limit > 0);
    }
  }
}

TEST_CASE("405 names the allowed methods") {
  const Router router = make_router();
  const RouteMatch match = router.match(http::verb::post, "/metrics");
  CHECK(match.kind == RouteMatch::Kind::method_not_allowed);
  CHECK(match.allow == "GET, HEAD");
}

TEST_CASE("a custom table: first matching route wins, query strings are ignored") {
  const Router router({
      {RouteId::healthz, "a", "/x", {http::verb::post}, 10},
      {RouteId::readyz, "b", "/x/*", {http::verb::get}, 20},
  });
  CHECK(router.match(http::verb::post, "/x?y=1").route->name == "a");
  CHECK(router.match(http::verb::get, "/x/abc#frag").parameter == "abc");
  CHECK(path_of("/a/b?c=d") == "/a/b");
}
