#include "gateway/client_origin.hpp"

#include <doctest/doctest.h>

using buurtlijn::gateway::client_origin;

TEST_CASE("without trusted proxies the TCP peer is the client and forwarded headers are ignored") {
  const auto origin = client_origin("203.0.113.7", "198.51.100.1", "https", {});
  CHECK(origin.address == "203.0.113.7");
  CHECK_FALSE(origin.https);
}

TEST_CASE("behind a trusted proxy the rightmost untrusted hop is the client") {
  const std::vector<std::string> proxies{"127.0.0.1", "10.0.0.2"};
  // The client forged the first entry; the proxies appended what they saw.
  auto origin = client_origin("127.0.0.1", "6.6.6.6, 203.0.113.7, 10.0.0.2", "https", proxies);
  CHECK(origin.address == "203.0.113.7");
  CHECK(origin.https);

  origin = client_origin("127.0.0.1", "203.0.113.7", "http", proxies);
  CHECK(origin.address == "203.0.113.7");
  CHECK_FALSE(origin.https);

  // Several proxies each add their own scheme; the nearest one counts.
  origin = client_origin("127.0.0.1", " 203.0.113.7 ,", "http, https", proxies);
  CHECK(origin.address == "203.0.113.7");
  CHECK(origin.https);

  // No header at all: the proxy itself is all we know.
  origin = client_origin("127.0.0.1", "", "", proxies);
  CHECK(origin.address == "127.0.0.1");
  CHECK_FALSE(origin.https);

  // Only proxies in the chain: the leftmost of them.
  origin = client_origin("127.0.0.1", "10.0.0.2", "", proxies);
  CHECK(origin.address == "10.0.0.2");
}

TEST_CASE("an untrusted peer cannot claim https or another address") {
  const auto origin = client_origin("192.0.2.9", "127.0.0.1", "https", {"127.0.0.1"});
  CHECK(origin.address == "192.0.2.9");
  CHECK_FALSE(origin.https);
}
