// See open311_handlers.hpp.
#include "gateway/open311_handlers.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <ctime>
#include <random>

#include "cases/case_service.hpp"
#include "connectors/open311/open311.hpp"
#include "gateway/app.hpp"
#include "gateway/forwarders.hpp"
#include "gateway/log.hpp"
#include "gateway/pseudonym.hpp"
#include "gateway/store_await.hpp"
#include "store/case_store.hpp"

namespace buurtlijn::gateway {
namespace {

namespace o311 = connectors::open311;

constexpr std::int64_t kDay = 86'400'000;
constexpr std::array<std::string_view, 16> kLanguages{
    "nl", "en", "bg", "ro", "uk", "de", "fr", "es", "it", "pt", "ar", "pl", "zh", "fa", "hi", "ti"};

bool is_language(std::string_view code) {
  return std::find(kLanguages.begin(), kLanguages.end(), code) != kLanguages.end();
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Response open311_json(http::status status, std::string body, unsigned version) {
  Response response = json_response(status, std::move(body), version);
  response.set(http::field::cache_control, "no-store");
  return response;
}

Response open311_error(const o311::Error& error, unsigned version) {
  return open311_json(static_cast<http::status>(error.status), o311::render_error(error), version);
}

std::string language_of(const o311::Form& query) {
  const auto found = query.find("lang");
  if (found == query.end() || !is_language(found->second)) return "nl";
  return found->second;
}

// The follow-up questions of a category, as Open311 attributes.
std::vector<o311::ServiceAttribute> attributes_of(std::string_view code,
                                                  const cases::StatusTexts& texts,
                                                  const std::string& lang) {
  const auto q = [&](const std::string& key) { return texts.plain(lang, "questions." + key); };
  const std::vector<o311::ServiceAttributeValue> yes_no{
      {"yes", q("yes")}, {"no", q("no")}, {"unknown", q("unknown")}};
  if (code == "waste_beside_container") {
    std::vector<o311::ServiceAttributeValue> fractions;
    for (const char* f : {"residual", "paper", "glass", "plastic", "gft"}) {
      fractions.push_back({f, q(std::string("fraction.") + f)});
    }
    return {{"fraction", "singlevaluelist", false, q("fraction"), 1, fractions}};
  }
  if (code == "overcrowded_housing") {
    return {{"people_count", "number", false, q("people_count"), 1, {}},
            {"since", "string", false, q("since"), 2, {}},
            {"new_people_often", "singlevaluelist", false, q("new_people_often"), 3, yes_no},
            {"knows_owner", "singlevaluelist", false, q("knows_owner"), 4, yes_no}};
  }
  return {};
}

o311::Service service_of(const cases::Category& category, const cases::StatusTexts& texts,
                         const std::string& lang) {
  o311::Service service;
  service.code = std::string(category.code);
  service.name = texts.plain(lang, "services." + service.code);
  service.description = service.name;
  service.group = category.path == cases::CasePath::housing ? "housing" : "public_space";
  service.keywords = service.code;
  service.attributes = attributes_of(category.code, texts, lang);
  return service;
}

// The Dutch postcode inside a typed address ("Ceintuurbaan 12, 7425 AB Deventer").
std::string postcode_in(std::string_view address) {
  for (std::size_t i = 0; i + 4 <= address.size(); ++i) {
    if (i > 0 && std::isalnum(static_cast<unsigned char>(address[i - 1])) != 0) continue;
    std::string candidate(address.substr(i, 4));
    std::size_t j = i + 4;
    if (j < address.size() && address[j] == ' ') ++j;
    if (j + 2 <= address.size()) {
      std::string pc6 = cases::normalize_postcode(candidate + std::string(address.substr(j, 2)));
      const bool ends =
          j + 2 == address.size() || std::isalnum(static_cast<unsigned char>(address[j + 2])) == 0;
      if (!pc6.empty() && ends) return pc6;
    }
  }
  return {};
}

o311::PublicRequest public_request(const store::PublicReportRow& row, const App& app,
                                   const std::string& lang) {
  const auto& texts = app.cases->texts;
  const auto state = cases::parse_state(row.case_state).value_or(cases::CaseState::new_case);
  o311::PublicRequest out;
  out.id = row.public_number;
  out.closed = state == cases::CaseState::closed;
  out.status_notes = texts.status(lang, cases::public_status(state), row.public_number);
  out.service_code = row.category;
  out.service_name = texts.plain(lang, "services." + row.category);
  out.agency_responsible = "Gemeente Deventer";
  out.requested_ms = row.created_at;
  out.updated_ms = std::max(row.updated_at, row.created_at);
  out.lang = row.language;
  // A house is a person's home: housing reports show neither address nor coordinates.
  if (row.case_path != "housing") {
    out.address = row.address;
    out.lat = row.latitude;
    out.lon = row.longitude;
  }
  if (row.photo_ref.rfind("https://", 0) == 0 || row.photo_ref.rfind("http://", 0) == 0) {
    out.media_url = row.photo_ref;
  }
  return out;
}

bool is_sensitive(std::string_view category) {
  const cases::Category* found = cases::find_category(category);
  return found != nullptr && found->sensitive;
}

std::string strip_json_suffix(std::string_view parameter, bool& ok) {
  constexpr std::string_view kSuffix = ".json";
  ok = parameter.size() > kSuffix.size() &&
       parameter.substr(parameter.size() - kSuffix.size()) == kSuffix;
  return ok ? std::string(parameter.substr(0, parameter.size() - kSuffix.size())) : std::string();
}

tl::expected<o311::Form, o311::Error> query_of(const Request& request) {
  const std::string_view target = request.target();
  const auto mark = target.find('?');
  return o311::parse_form(mark == std::string_view::npos ? std::string_view()
                                                         : target.substr(mark + 1));
}

bool key_accepted(const App& app, std::string_view api_key) {
  const std::string digest = api_key_digest(api_key);
  bool accepted = false;
  for (const std::string& allowed : app.config.open311.api_key_sha256) {
    accepted = secrets_equal(digest, allowed) || accepted;  // no early exit
  }
  return accepted;
}

boost::asio::awaitable<Response> post_request(App& app, const Request& request) {
  const unsigned version = request.version();
  auto form = o311::parse_form(request.body());
  if (!form) co_return open311_error(form.error(), version);
  auto parsed = o311::parse_new_request(*form);
  if (!parsed) co_return open311_error(parsed.error(), version);
  if (!key_accepted(app, parsed->api_key)) {
    log::warn("open311.refused", {{"reason", "api_key"}});
    co_return open311_error({403, "api_key is not valid"}, version);
  }
  if (!parsed->jurisdiction_id.empty() &&
      parsed->jurisdiction_id != app.config.open311.jurisdiction_id) {
    co_return open311_error({404, "jurisdiction_id is not served here"}, version);
  }
  if (cases::find_category(parsed->service_code) == nullptr) {
    co_return open311_error(
        {404, "service_code '" + parsed->service_code + "' is not a service here"}, version);
  }
  if (!parsed->lang.empty() && !is_language(parsed->lang)) {
    co_return open311_error({400, "lang must be one of the 16 supported ISO 639-1 codes"}, version);
  }
  const auto attributes = attributes_of(parsed->service_code, app.cases->texts, "en");
  boost::json::object answers;
  for (const auto& answer : parsed->attributes) {
    const std::string& code = answer.first;
    const std::string& value = answer.second;
    const auto definition = std::find_if(attributes.begin(), attributes.end(),
                                         [&](const auto& a) { return a.code == code; });
    if (definition == attributes.end()) {
      co_return open311_error({400, "attribute[" + code + "] is not an attribute of this service"},
                              version);
    }
    if (!definition->values.empty() &&
        std::none_of(definition->values.begin(), definition->values.end(),
                     [&](const auto& v) { return v.key == value; })) {
      co_return open311_error({400, "attribute[" + code + "] has no value '" + value + "'"},
                              version);
    }
    if (value.size() > 200) {
      co_return open311_error({400, "attribute[" + code + "] is too long"}, version);
    }
    answers[code] = value;
  }

  cases::ReportInput input;
  input.category = parsed->service_code;
  if (parsed->lat && parsed->lon) input.location = cases::GeoPoint{*parsed->lat, *parsed->lon};
  input.address = parsed->address_string;
  input.postcode =
      parsed->postcode.empty() ? postcode_in(parsed->address_string) : parsed->postcode;
  input.description = parsed->description;
  input.photo_ref = parsed->media_url;
  input.language = parsed->lang.empty() ? "nl" : parsed->lang;
  input.channel = "open311";
  input.source = "open311";
  input.attributes_json = boost::json::serialize(answers);
  input.at_ms = now_ms();
  {
    const std::time_t seconds = static_cast<std::time_t>(input.at_ms / 1000);
    std::tm local{};
    localtime_r(&seconds, &local);
    input.local_hour = local.tm_hour;
  }
  thread_local std::mt19937_64 random{std::random_device{}()};
  auto planned =
      cases::plan_report(input, app.cases->areas, app.cases->settings, app.store->cases(), random);
  if (!planned) {
    if (planned.error().kind == cases::Refusal::Kind::unavailable) {
      co_return open311_error({503, planned.error().reason}, version);
    }
    co_return open311_error({400, planned.error().reason}, version);
  }
  store::NewReport write = std::move(planned->write);
  attach_forwards(app.config.forwarding, write);  // queued with the case, same write
  const auto submit = [&app, &write](auto done) {
    app.store->cases().create_report(std::move(write), std::move(done));
  };
  auto created = co_await await_callback<store::Result<store::ReportCreated>>(submit);
  if (!created) {
    log::warn("open311.store_failed", {{"reason", created.error().message}});
    co_return open311_error({503, "the request could not be stored; retry later"}, version);
  }
  log::info("open311.created", {{"case", created->case_id},
                                {"joined", created->joined_existing},
                                {"area_known", planned->area.known()}});
  co_return open311_json(
      http::status::created,
      o311::render_created(created->public_number,
                           app.cases->texts.status(input.language, cases::PublicStatus::received,
                                                   created->public_number)),
      version);
}

Response list_requests(App& app, const Request& request) {
  const unsigned version = request.version();
  auto query = query_of(request);
  if (!query) return open311_error(query.error(), version);
  auto list = o311::parse_list_query(*query);
  if (!list) return open311_error(list.error(), version);
  const std::string lang = language_of(*query);
  store::ReportFilter filter;
  filter.limit = 1000;
  if (!list->service_request_ids.empty()) {
    filter.public_numbers = list->service_request_ids;  // the other filters are ignored
  } else {
    filter.categories = list->service_codes;
    filter.closed = list->closed;
    const std::int64_t end = list->end_ms.value_or(now_ms());
    filter.until = end;
    filter.from = list->start_ms.value_or(end - 90 * kDay);
    if (filter.from > filter.until) {
      return open311_error({400, "start_date must be before end_date"}, version);
    }
  }
  auto rows = app.store->cases().find_reports(filter);
  if (!rows) return open311_error({503, "the store is unavailable; retry later"}, version);
  std::vector<o311::PublicRequest> requests;
  for (const store::PublicReportRow& row : *rows) {
    if (is_sensitive(row.category)) continue;  // never listed in public
    requests.push_back(public_request(row, app, lang));
  }
  return open311_json(http::status::ok, o311::render_requests(requests), version);
}

}  // namespace

std::string api_key_digest(std::string_view api_key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(api_key.data()), api_key.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (const unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 15]);
  }
  return hex;
}

boost::asio::awaitable<Response> handle_open311(App& app, const Request& request, RouteId route,
                                                std::string_view parameter) {
  const unsigned version = request.version();
  if (!app.config.open311.enabled || !app.cases) {
    co_return open311_error({404, "Open311 is not enabled here"}, version);
  }
  auto query = query_of(request);
  if (!query) co_return open311_error(query.error(), version);
  const std::string lang = language_of(*query);
  switch (route) {
    case RouteId::open311_services: {
      std::vector<o311::Service> services;
      for (const cases::Category& category : cases::categories()) {
        services.push_back(service_of(category, app.cases->texts, lang));
      }
      co_return open311_json(http::status::ok, o311::render_services(services), version);
    }
    case RouteId::open311_service: {
      bool ok = false;
      const std::string code = strip_json_suffix(parameter, ok);
      const cases::Category* category = ok ? cases::find_category(code) : nullptr;
      if (category == nullptr) co_return open311_error({404, "no such service_code"}, version);
      co_return open311_json(
          http::status::ok,
          o311::render_service_definition(service_of(*category, app.cases->texts, lang)), version);
    }
    case RouteId::open311_requests:
      if (request.method() == http::verb::post) {
        auto response = co_await post_request(app, request);
        co_return response;
      }
      co_return list_requests(app, request);
    case RouteId::open311_request: {
      bool ok = false;
      const std::string id = strip_json_suffix(parameter, ok);
      std::int64_t number = 0;
      const auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), number);
      if (!ok || id.empty() || ec != std::errc{} || ptr != id.data() + id.size() || number <= 0) {
        co_return open311_error({404, "no such service_request_id"}, version);
      }
      auto row = app.store->cases().find_report(number);
      if (!row) co_return open311_error({503, "the store is unavailable; retry later"}, version);
      if (!*row) co_return open311_error({404, "no such service_request_id"}, version);
      co_return open311_json(http::status::ok,
                             o311::render_requests({public_request(**row, app, lang)}), version);
    }
    default:
      break;
  }
  co_return open311_error({404, "no such resource"}, version);
}

}  // namespace buurtlijn::gateway
