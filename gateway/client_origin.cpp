// See client_origin.hpp.
#include "gateway/client_origin.hpp"

#include <algorithm>

namespace buurtlijn::gateway {
namespace {

bool trusted(std::string_view address, const std::vector<std::string>& proxies) {
  return std::find(proxies.begin(), proxies.end(), address) != proxies.end();
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

ClientOrigin client_origin(std::string_view peer_address, std::string_view forwarded_for,
                           std::string_view forwarded_proto,
                           const std::vector<std::string>& trusted_proxies) {
  ClientOrigin origin{std::string(peer_address), false};
  if (!trusted(peer_address, trusted_proxies)) return origin;
  // Walk X-Forwarded-For from the right: each trusted proxy appended the address it saw.
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view hop =
        trim_spaces(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    if (hop.empty()) continue;
    origin.address = std::string(hop);
    if (!trusted(hop, trusted_proxies)) break;
  }
  // The proxy nearest to us says how the request reached it.
  const auto comma = forwarded_proto.rfind(',');
  const std::string_view proto = trim_spaces(
      comma == std::string_view::npos ? forwarded_proto : forwarded_proto.substr(comma + 1));
  origin.https = proto == "https";
  return origin;
}

}  // namespace buurtlijn::gateway
