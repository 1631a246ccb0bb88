// Building HTTP responses: typed errors become status codes and JSON bodies here and
// nowhere else, and every response gets the security headers. Pure functions.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>

namespace buurtlijn::gateway {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// {"error":{"code":"not_found","message":"..."}} with the given status.
Response json_error(http::status status, std::string_view code, std::string_view message,
                    unsigned version = 11);
Response json_response(http::status status, std::string body, unsigned version = 11);
Response text_response(http::status status, std::string body, std::string_view content_type,
                       unsigned version = 11);

// Content-Security-Policy and the other security headers. `frame_ancestors` is the
// CSP source list of who may frame this response ("'none'" for all but the chat page).
void add_security_headers(Response& response, std::string_view frame_ancestors = "'none'");

}  // namespace buurtlijn::gateway
