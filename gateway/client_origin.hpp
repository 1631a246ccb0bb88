// Who is on the other end of a request: the client's address and whether it reached us
// over TLS. Behind a reverse proxy the TCP peer is the proxy, so the proxy's
// X-Forwarded-For and X-Forwarded-Proto are believed — but only when the peer is one of
// the configured trusted proxies, and only the hops those proxies appended (the rightmost
// address not itself a trusted proxy), so that a client cannot choose its own address by
// sending the header. Pure: no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace buurtlijn::gateway {

struct ClientOrigin {
  std::string address;  // an IP address as text
  bool https = false;   // TLS between the client and us or our trusted proxy
};

ClientOrigin client_origin(std::string_view peer_address, std::string_view forwarded_for,
                           std::string_view forwarded_proto,
                           const std::vector<std::string>& trusted_proxies);

}  // namespace buurtlijn::gateway
