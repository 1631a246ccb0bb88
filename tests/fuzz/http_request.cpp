// The HTTP request path without sockets: the fuzzed bytes go through Beast's
// request_parser with the server's header and body limits (gateway/config.hpp, as
// gateway/http_session.cpp sets them), then the client origin (X-Forwarded-For behind a
// trusted proxy) and the Router on method + target, as the session does.
// The route table is the server's own (gateway/routes.cpp, pure).
#include <boost/beast/core/buffers_prefix.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.hpp"
#include "gateway/client_origin.hpp"
#include "gateway/config.hpp"
#include "gateway/router.hpp"

namespace {

using namespace buurtlijn::gateway;

const Router& router() {
  static const Router table = make_router();
  return table;
}

void check_match(http::verb method, std::string_view target) {
  const RouteMatch match = router().match(method, target);
  const std::string_view path = path_of(target);
  FUZZ_CHECK(path.size() <= target.size() && target.substr(0, path.size()) == path);
  switch (match.kind) {
    case RouteMatch::Kind::found: {
      FUZZ_CHECK(match.route != nullptr);
      FUZZ_CHECK(match.parameter.find('/') == std::string_view::npos);
      const std::string& pattern = match.route->pattern;
      if (pattern.ends_with("/*")) {
        FUZZ_CHECK(!match.parameter.empty());
        FUZZ_CHECK(std::string(pattern.substr(0, pattern.size() - 1)) +
                       std::string(match.parameter) ==
                   path);
      } else {
        FUZZ_CHECK(pattern == path && match.parameter.empty());
      }
      break;
    }
    case RouteMatch::Kind::method_not_allowed:
      FUZZ_CHECK(match.route == nullptr && !match.allow.empty());
      break;
    case RouteMatch::Kind::not_found:
      FUZZ_CHECK(match.route == nullptr && match.allow.empty());
      break;
  }
}

}  // namespace

// libFuzzer names the entry point.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  static const ServerConfig limits{};
  static const std::vector<std::string> proxies{"127.0.0.1", "::1"};

  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.header_limit_bytes));
  parser.body_limit(limits.body_limit_bytes);
  parser.eager(true);
  boost::beast::error_code error;
  std::size_t offset = 0;
  // As the session reads: the parser consumes what it can; the rest waits for more bytes.
  while (offset < size && !parser.is_done()) {
    const std::size_t used =
        parser.put(boost::asio::const_buffer(data + offset, size - offset), error);
    if (error == http::error::need_more) break;
    if (error) break;
    if (used == 0) break;
    offset += used;
  }
  if (!error && offset == size && size > 0 && !parser.is_done()) {
    parser.put_eof(error);  // the peer closed the connection
  }
  FUZZ_CHECK(offset <= size);
  if (!parser.is_header_done()) return 0;

  auto& request = parser.get();
  FUZZ_CHECK(request.target().size() <= limits.header_limit_bytes);
  const ClientOrigin origin =
      client_origin("127.0.0.1", request["X-Forwarded-For"], request["X-Forwarded-Proto"], proxies);
  FUZZ_CHECK(!origin.address.empty());
  request.set("X-Forwarded-For", origin.address);
  check_match(request.method(), request.target());
  check_match(http::verb::head, request.target());
  if (parser.is_done()) FUZZ_CHECK(request.body().size() <= limits.body_limit_bytes);
  return 0;
}
