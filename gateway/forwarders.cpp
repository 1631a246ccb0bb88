// See forwarders.hpp.
#include "gateway/forwarders.hpp"

#include <boost/json.hpp>

#include "admin/ui_text.hpp"
#include "cases/status_texts.hpp"
#include "connectors/email/email.hpp"
#include "connectors/open311/open311_client.hpp"

namespace buurtlijn::gateway {

const std::vector<std::pair<std::string_view, std::string_view>>& embedded_forward_locale_files();

namespace {

const admin::UiText* forward_texts() {
  static const auto parsed = [] {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& [name, text] : embedded_forward_locale_files()) {
      files.emplace_back(std::string(name), std::string(text));
    }
    return admin::UiText::parse(files);
  }();
  return parsed ? &*parsed : nullptr;
}

const cases::StatusTexts* status_texts() {
  static const auto parsed = cases::StatusTexts::embedded();
  return parsed ? &*parsed : nullptr;
}

std::string string_field(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
}

std::int64_t int_field(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_int64() ? value->as_int64() : 0;
}

std::optional<double> number_field(const boost::json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_double()) return value->as_double();
  if (value->is_int64()) return static_cast<double>(value->as_int64());
  return std::nullopt;
}

tl::expected<boost::json::object, std::string> payload_of(const store::ClaimedOutboxItem& item) {
  boost::system::error_code error;
  boost::json::value parsed = boost::json::parse(item.payload_json, error);
  if (error || !parsed.is_object()) {
    return tl::unexpected(std::string("the forward payload is not a JSON object"));
  }
  return std::move(parsed.as_object());
}

std::string area_text(const store::AreaColumns& area) {
  if (area.wijk_name.empty() && area.buurt_name.empty()) return {};
  if (area.buurt_name.empty() || area.buurt_name == area.wijk_name) return area.wijk_name;
  return area.wijk_name + ", " + area.buurt_name;
}

}  // namespace

void attach_forwards(const ForwardingConfig& forwarding, store::NewReport& write) {
  if (write.join_case_id != 0) return;
  const Forwarder* forwarder = forwarding.for_team(write.team);
  if (forwarder == nullptr) return;
  if (forwarder->email) {
    boost::json::object payload{{"team", write.team},
                                {"category", write.category},
                                {"area", area_text(write.area)},
                                {"state", write.initial_state},
                                {"reporter_channel", write.channel}};
    write.forwards.push_back({std::string(kEmailChannel), boost::json::serialize(payload),
                              forwarder->email->include_contact});
  }
  if (forwarder->open311) {
    boost::json::object payload{{"team", write.team},
                                {"category", write.category},
                                {"address", write.address},
                                {"postcode", write.postcode},
                                {"description", write.description},
                                {"lang", write.language}};
    if (write.latitude && write.longitude) {
      payload["lat"] = *write.latitude;
      payload["long"] = *write.longitude;
    }
    boost::system::error_code error;
    boost::json::value attributes = boost::json::parse(write.attributes_json, error);
    if (!error && attributes.is_object()) payload["attributes"] = std::move(attributes);
    write.forwards.push_back(
        {std::string(kOpen311Channel), boost::json::serialize(payload), false});
  }
}

tl::expected<MailCall, std::string> render_email_item(const ForwardingConfig& forwarding,
                                                      const store::ClaimedOutboxItem& item,
                                                      std::int64_t now_ms) {
  auto payload = payload_of(item);
  if (!payload) return tl::unexpected(payload.error());
  const std::string team = string_field(*payload, "team");
  const Forwarder* forwarder = forwarding.for_team(team);
  if (forwarder == nullptr || !forwarder->email) {
    return tl::unexpected("team '" + team + "' has no e-mail forwarder any more");
  }
  const EmailForwarder& settings = *forwarder->email;
  const admin::UiText* words = forward_texts();
  if (words == nullptr) return tl::unexpected(std::string("the forward texts do not load"));
  const std::string& lang = settings.language;
  const std::int64_t case_id = int_field(*payload, "case_id");
  const std::int64_t number = int_field(*payload, "report_number");
  const std::string category_code = string_field(*payload, "category");
  std::string category;
  if (const cases::StatusTexts* texts = status_texts()) {
    category = texts->plain(lang, "services." + category_code);
  }
  if (category.empty()) category = category_code;

  connectors::email::CaseSummary summary;
  summary.case_id = case_id;
  summary.category = category;
  summary.area = string_field(*payload, "area");
  if (summary.area.empty()) summary.area = words->get(lang, "email.unknown_area");
  summary.report_number = std::to_string(number);
  // The state's name for people ("Nieuw"), never the internal code; the code only when
  // the texts do not know it.
  const std::string state_code = string_field(*payload, "state");
  summary.state = words->get(lang, "case_state." + state_code);
  if (state_code.empty() || summary.state == "case_state." + state_code) summary.state = state_code;
  if (!forwarding.public_base_url.empty()) {
    summary.case_url = forwarding.public_base_url + "/admin/case?id=" + std::to_string(case_id);
  }
  // item.address is set only when the item carries the reporter's subject, i.e. when
  // the team asked for contact details when the case was created; check again now.
  if (settings.include_contact && !item.address.empty()) {
    summary.contact = string_field(*payload, "reporter_channel") + " " + item.address;
  }
  connectors::email::Labels labels;
  labels.subject = words->get(lang, "email.subject",
                              {{"case", std::to_string(case_id)},
                               {"number", std::to_string(number)},
                               {"category", category}});
  labels.category = words->get(lang, "email.category");
  labels.area = words->get(lang, "email.area");
  labels.report_number = words->get(lang, "email.report_number");
  labels.state = words->get(lang, "email.state");
  labels.link = words->get(lang, "email.link");
  labels.contact = words->get(lang, "email.contact");
  const connectors::email::Settings email_settings{settings.from, settings.to,
                                                   settings.include_contact};
  auto message = connectors::email::render_message(
      summary, labels, email_settings, now_ms,
      "case-" + std::to_string(case_id) + ".forward-" + std::to_string(item.id));
  if (!message) return tl::unexpected(message.error());
  MailCall call;
  call.url = settings.smtp_url;
  call.mail_from = connectors::email::bare_address(settings.from);
  call.recipients = settings.to;
  call.username = settings.smtp_username;
  call.password = settings.smtp_password;
  call.message = std::move(*message);
  return call;
}

tl::expected<connectors::HttpCall, std::string> render_open311_item(
    const ForwardingConfig& forwarding, const store::ClaimedOutboxItem& item) {
  auto payload = payload_of(item);
  if (!payload) return tl::unexpected(payload.error());
  const std::string team = string_field(*payload, "team");
  const Forwarder* forwarder = forwarding.for_team(team);
  if (forwarder == nullptr || !forwarder->open311) {
    return tl::unexpected("team '" + team + "' has no Open311 forwarder any more");
  }
  const Open311Forwarder& settings = *forwarder->open311;
  if (settings.api_key.empty()) {
    return tl::unexpected(forwarder_secret_name(team, "OPEN311_API_KEY") + " is not set");
  }
  connectors::open311::OutgoingRequest request;
  request.lat = number_field(*payload, "lat");
  request.lon = number_field(*payload, "long");
  request.address_string = string_field(*payload, "address");
  const std::string postcode = string_field(*payload, "postcode");
  if (request.address_string.empty()) request.address_string = postcode;
  if (!request.lat && request.address_string.empty()) {
    return tl::unexpected(std::string("the case has neither a point nor an address"));
  }
  request.description = string_field(*payload, "description");
  const std::int64_t case_id = int_field(*payload, "case_id");
  if (!forwarding.public_base_url.empty()) {
    if (!request.description.empty()) request.description += "\n\n";
    request.description += forwarding.public_base_url + "/admin/case?id=" + std::to_string(case_id);
  }
  request.lang = string_field(*payload, "lang");
  if (const auto* attributes = payload->if_contains("attributes");
      attributes != nullptr && attributes->is_object()) {
    for (const auto& [code, value] : attributes->as_object()) {
      if (value.is_string()) {
        request.attributes[std::string(code)] = std::string(value.as_string());
      } else if (!value.is_null()) {
        request.attributes[std::string(code)] = boost::json::serialize(value);
      }
    }
  }
  return connectors::open311::render_post(
      request,
      {settings.endpoint, settings.api_key, settings.service_code, settings.jurisdiction_id});
}

}  // namespace buurtlijn::gateway
