// See http_responses.hpp.
#include "gateway/http_responses.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>

namespace buurtlijn::gateway {

Response text_response(http::status status, std::string body, std::string_view content_type,
                       unsigned version) {
  Response response{status, version};
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(http::status status, std::string body, unsigned version) {
  return text_response(status, std::move(body), "application/json", version);
}

Response json_error(http::status status, std::string_view code, std::string_view message,
                    unsigned version) {
  boost::json::object error{{"code", code}, {"message", message}};
  return json_response(status, boost::json::serialize(boost::json::object{{"error", error}}),
                       version);
}

void add_security_headers(Response& response, std::string_view frame_ancestors) {
  std::string policy =
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; "
      "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
      "frame-ancestors ";
  policy += frame_ancestors;
  response.set("Content-Security-Policy", policy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Cross-Origin-Opener-Policy", "same-origin");
  response.set(http::field::server, "buurtlijn");
}

}  // namespace buurtlijn::gateway
