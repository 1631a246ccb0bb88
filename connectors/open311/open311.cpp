// See open311.hpp.
#include "connectors/open311/open311.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "connectors/webchat/webchat_frames.hpp"

namespace buurtlijn::connectors::open311 {
namespace {

constexpr std::size_t kMaxField = 4000;

tl::unexpected<Error> bad(std::string description) {
  return tl::unexpected(Error{400, std::move(description)});
}

std::string first(const Form& form, const std::string& key) {
  const auto found = form.find(key);
  return found == form.end() ? std::string() : found->second;
}

std::optional<double> parse_double(std::string_view text) {
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string_view part = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!part.empty()) parts.emplace_back(part);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return parts;
}

int two(std::string_view text, std::size_t at) {
  if (at + 2 > text.size() || text[at] < '0' || text[at] > '9' || text[at + 1] < '0' ||
      text[at + 1] > '9') {
    return -1;
  }
  return (text[at] - '0') * 10 + (text[at + 1] - '0');
}

}  // namespace

tl::expected<Form, Error> parse_form(std::string_view text) {
  // Lenient about characters a strict URL query refuses ('[', ']' in attribute[code], as
  // curl and many clients send them), strict about percent-escapes and UTF-8.
  Form form;
  const auto decode = [](std::string_view part) -> std::optional<std::string> {
    std::string out;
    for (std::size_t i = 0; i < part.size(); ++i) {
      const char c = part[i];
      if (c == '+') {
        out.push_back(' ');
      } else if (c == '%') {
        if (i + 2 >= part.size()) return std::nullopt;
        unsigned value = 0;
        const auto [ptr, ec] = std::from_chars(part.data() + i + 1, part.data() + i + 3, value, 16);
        if (ec != std::errc{} || ptr != part.data() + i + 3) return std::nullopt;
        out.push_back(static_cast<char>(value));
        i += 2;
      } else {
        out.push_back(c);
      }
    }
    return out;
  };
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const std::size_t amp = text.find('&', start);
    const std::string_view pair =
        text.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    if (!pair.empty()) {
      const std::size_t equals = pair.find('=');
      auto key = decode(pair.substr(0, equals));
      auto value =
          decode(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
      if (!key || !value) return bad("the form has a bad percent-escape");
      if (!webchat::is_valid_utf8(*key) || !webchat::is_valid_utf8(*value)) {
        return bad("the form is not valid UTF-8");
      }
      form.emplace(std::move(*key), std::move(*value));
    }
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return form;
}

tl::expected<NewRequest, Error> parse_new_request(const Form& form) {
  NewRequest request;
  request.api_key = first(form, "api_key");
  if (request.api_key.empty()) return tl::unexpected(Error{403, "api_key is required"});
  request.jurisdiction_id = first(form, "jurisdiction_id");
  request.service_code = first(form, "service_code");
  if (request.service_code.empty()) return bad("service_code is required");
  const std::string lat = first(form, "lat");
  const std::string lon = first(form, "long");
  if (!lat.empty() || !lon.empty()) {
    request.lat = parse_double(lat);
    request.lon = parse_double(lon);
    if (!request.lat || !request.lon || *request.lat < -90 || *request.lat > 90 ||
        *request.lon < -180 || *request.lon > 180) {
      return bad("lat and long must both be WGS84 decimal degrees");
    }
  }
  request.address_string = first(form, "address_string");
  request.postcode = first(form, "postal_code");
  if (!request.lat && request.address_string.empty() && first(form, "address_id").empty()) {
    return bad("a location is required: lat and long, or address_string");
  }
  if (!first(form, "address_id").empty() && !request.lat && request.address_string.empty()) {
    return bad("address_id is not supported here; send address_string or lat and long");
  }
  request.description = first(form, "description");
  request.media_url = first(form, "media_url");
  request.lang = first(form, "lang");
  if (request.description.size() > kMaxField || request.address_string.size() > 200 ||
      request.media_url.size() > 2000) {
    return bad("a field is too long (description 4000, address_string 200, media_url 2000 bytes)");
  }
  if (!request.media_url.empty() && request.media_url.rfind("https://", 0) != 0 &&
      request.media_url.rfind("http://", 0) != 0) {
    return bad("media_url must be an http(s) URL");
  }
  for (const auto& [key, value] : form) {
    if (key.rfind("attribute[", 0) == 0 && key.size() > 11 && key.back() == ']') {
      request.attributes[key.substr(10, key.size() - 11)] = value;
    }
  }
  return request;
}

tl::expected<ListQuery, Error> parse_list_query(const Form& query) {
  ListQuery list;
  for (const std::string& id : split_commas(first(query, "service_request_id"))) {
    std::int64_t number = 0;
    const auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), number);
    if (ec != std::errc{} || ptr != id.data() + id.size() || number <= 0) {
      return bad("service_request_id must be numbers separated by commas");
    }
    list.service_request_ids.push_back(number);
  }
  list.service_codes = split_commas(first(query, "service_code"));
  for (const char* name : {"start_date", "end_date"}) {
    const std::string text = first(query, name);
    if (text.empty()) continue;
    const auto at = parse_datetime(text);
    if (!at) return bad(std::string(name) + " must be a W3C date-time, e.g. 2026-11-01T00:00:00Z");
    (std::string_view(name) == "start_date" ? list.start_ms : list.end_ms) = *at;
  }
  const std::string status = first(query, "status");
  if (!status.empty()) {
    if (status == "open") {
      list.closed = false;
    } else if (status == "closed") {
      list.closed = true;
    } else if (status != "open,closed" && status != "closed,open") {
      return bad("status must be open or closed");
    }
  }
  list.lang = first(query, "lang");
  return list;
}

std::string format_datetime(std::int64_t at_ms) {
  using namespace std::chrono;
  const sys_seconds at{seconds{at_ms / 1000}};
  const sys_days day = floor<days>(at);
  const year_month_day date{day};
  const hh_mm_ss time{at - day};
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(date.year()),
                unsigned(date.month()), unsigned(date.day()), int(time.hours().count()),
                int(time.minutes().count()), int(time.seconds().count()));
  return text;
}

std::optional<std::int64_t> parse_datetime(std::string_view text) {
  // YYYY-MM-DDTHH:MM(:SS(.fff))?(Z|+HH:MM|-HH:MM)
  if (text.size() < 17 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':') {
    return std::nullopt;
  }
  int year = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    year = year * 10 + (text[i] - '0');
  }
  const int month = two(text, 5);
  const int day = two(text, 8);
  const int hour = two(text, 11);
  const int minute = two(text, 14);
  std::size_t at = 16;
  int second = 0;
  if (at < text.size() && text[at] == ':') {
    second = two(text, at + 1);
    at += 3;
    if (at < text.size() && text[at] == '.') {
      ++at;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    }
  }
  int offset_minutes = 0;
  if (at < text.size() && text[at] == 'Z' && at + 1 == text.size()) {
    offset_minutes = 0;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    const int oh = two(text, at + 1);
    const int om = two(text, at + 4);
    if (oh < 0 || om < 0 || oh > 14 || om > 59) return std::nullopt;
    offset_minutes = (oh * 60 + om) * (text[at] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                            std::chrono::day{unsigned(day)}};
  if (month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
      second > 60 || !date.ok()) {
    return std::nullopt;
  }
  const auto seconds_since = sys_days{date}.time_since_epoch() + hours{hour} + minutes{minute} +
                             std::chrono::seconds{second} - minutes{offset_minutes};
  return duration_cast<milliseconds>(seconds_since).count();
}

std::string render_services(const std::vector<Service>& services) {
  boost::json::array list;
  for (const Service& s : services) {
    list.push_back(boost::json::object{{"service_code", s.code},
                                       {"service_name", s.name},
                                       {"description", s.description},
                                       {"metadata", !s.attributes.empty()},
                                       {"type", "realtime"},
                                       {"keywords", s.keywords},
                                       {"group", s.group}});
  }
  return boost::json::serialize(list);
}

std::string render_service_definition(const Service& service) {
  boost::json::array attributes;
  for (const ServiceAttribute& a : service.attributes) {
    boost::json::object attribute{{"variable", true},
                                  {"code", a.code},
                                  {"datatype", a.datatype},
                                  {"required", a.required},
                                  {"datatype_description", ""},
                                  {"order", a.order},
                                  {"description", a.description}};
    if (!a.values.empty()) {
      boost::json::array values;
      for (const ServiceAttributeValue& v : a.values) {
        values.push_back(boost::json::object{{"key", v.key}, {"name", v.name}});
      }
      attribute["values"] = std::move(values);
    }
    attributes.push_back(std::move(attribute));
  }
  return boost::json::serialize(
      boost::json::object{{"service_code", service.code}, {"attributes", std::move(attributes)}});
}

std::string render_requests(const std::vector<PublicRequest>& requests) {
  boost::json::array list;
  for (const PublicRequest& r : requests) {
    boost::json::object item{{"service_request_id", std::to_string(r.id)},
                             {"status", r.closed ? "closed" : "open"},
                             {"status_notes", r.status_notes},
                             {"service_name", r.service_name},
                             {"service_code", r.service_code},
                             {"agency_responsible", r.agency_responsible},
                             {"requested_datetime", format_datetime(r.requested_ms)},
                             {"updated_datetime", format_datetime(r.updated_ms)},
                             {"lang", r.lang}};
    if (!r.address.empty()) item["address"] = r.address;
    if (!r.zipcode.empty()) item["zipcode"] = r.zipcode;
    if (r.lat && r.lon) {
      item["lat"] = *r.lat;
      item["long"] = *r.lon;
    }
    if (!r.media_url.empty()) item["media_url"] = r.media_url;
    list.push_back(std::move(item));
  }
  return boost::json::serialize(list);
}

std::string render_created(std::int64_t id, std::string_view service_notice) {
  return boost::json::serialize(boost::json::array{boost::json::object{
      {"service_request_id", std::to_string(id)}, {"service_notice", service_notice}}});
}

std::string render_error(const Error& error) {
  return boost::json::serialize(boost::json::array{
      boost::json::object{{"code", error.status}, {"description", error.description}}});
}

}  // namespace buurtlijn::connectors::open311
