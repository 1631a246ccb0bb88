// See webhooks.hpp.
#include "gateway/webhooks.hpp"

#include <boost/json.hpp>
#include <cctype>

#include "connectors/kannel/kannel.hpp"
#include "connectors/outbound_payload.hpp"
#include "connectors/telegram/telegram.hpp"
#include "connectors/utf8_text.hpp"
#include "connectors/whatsapp/whatsapp.hpp"
#include "gateway/app.hpp"
#include "gateway/conversation_turns.hpp"
#include "gateway/log.hpp"
#include "gateway/store_await.hpp"

namespace buurtlijn::gateway {

namespace {

struct Channel {
  std::string_view name;
  bool enabled = false;
};

Channel channel_of(const App& app, RouteId route) {
  const Secrets& secrets = app.config.secrets;
  switch (route) {
    case RouteId::whatsapp_webhook:
      return {"whatsapp", secrets.whatsapp_enabled()};
    case RouteId::telegram_webhook:
      return {"telegram", secrets.telegram_enabled()};
    case RouteId::kannel_webhook:
    case RouteId::kannel_delivery_report:
      return {"kannel", secrets.kannel_enabled()};
    default:
      return {"unknown", false};
  }
}

connectors::Headers lower_case_headers(const Request& request) {
  connectors::Headers headers;
  for (const auto& field : request) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[name] = std::string(field.value());
  }
  return headers;
}

Response refusal_response(const connectors::Refusal& refusal, unsigned version) {
  switch (refusal.kind) {
    case connectors::Refusal::Kind::unauthorized:
      return json_error(http::status::unauthorized, "unauthorized", refusal.reason, version);
    case connectors::Refusal::Kind::forbidden:
      return json_error(http::status::forbidden, "forbidden", refusal.reason, version);
    case connectors::Refusal::Kind::malformed:
      break;
  }
  return json_error(http::status::bad_request, "malformed", refusal.reason, version);
}

tl::expected<connectors::Inbound, connectors::Refusal> parse(const App& app, RouteId route,
                                                             const connectors::InboundRequest& in) {
  const Secrets& s = app.config.secrets;
  switch (route) {
    case RouteId::whatsapp_webhook: {
      connectors::whatsapp::Settings settings{s.whatsapp_app_secret, s.whatsapp_verify_token,
                                              s.whatsapp_token, s.whatsapp_phone_number_id};
      return connectors::whatsapp::parse_inbound(in, settings);
    }
    case RouteId::telegram_webhook:
      return connectors::telegram::parse_inbound(in, {s.telegram_token, s.telegram_secret});
    case RouteId::kannel_webhook:
    case RouteId::kannel_delivery_report: {
      connectors::kannel::Settings settings;
      settings.callback_secret = s.kannel_secret;
      return route == RouteId::kannel_webhook
                 ? connectors::kannel::parse_inbound(in, settings)
                 : connectors::kannel::parse_delivery_report(in, settings);
    }
    default:
      return tl::unexpected(connectors::Refusal{connectors::Refusal::Kind::malformed, "no route"});
  }
}

}  // namespace

// See webhooks.hpp.
std::vector<std::string> reply_payloads(const dialogs::Reply& reply, std::string_view channel,
                                        const App& app) {
  connectors::OutboundMessage message;
  message.text = reply.text;
  message.language = reply.language;
  for (const dialogs::Button& button : reply.buttons) {
    message.choices.push_back(connectors::Choice{button.id, button.label, {}});
  }
  std::vector<std::string> payloads;
  if (channel == "kannel") {
    // One SMS per part; menus are numbered, so the numbers travel with the text.
    const std::string text = message.choices.empty()
                                 ? message.text
                                 : connectors::numbered_choices(message.text, message.choices);
    message.choices.clear();
    for (std::string& part :
         connectors::kannel::split_message(text, app.config.outbox.sms_max_segments)) {
      message.text = std::move(part);
      payloads.push_back(connectors::encode_outbound_payload(message));
    }
    return payloads;
  }
  payloads.push_back(connectors::encode_outbound_payload(message));
  return payloads;
}

std::string phone_prefix_of(std::string_view address) {
  std::string digits;
  for (const char c : address) {
    if (c >= '0' && c <= '9') digits.push_back(c);
    if (digits.size() == 4) break;
  }
  // Telegram chat ids and business-scoped ids are not phone numbers.
  if (address.substr(0, 5) == "user:" || digits.empty()) return {};
  return "+" + digits;
}

boost::asio::awaitable<Response> handle_webhook(App& app, const Request& request, RouteId route) {
  const unsigned version = request.version();
  const Channel channel = channel_of(app, route);
  if (!channel.enabled) {
    co_return json_error(http::status::not_found, "not_found", "this channel is not configured",
                         version);
  }
  const connectors::Headers headers = lower_case_headers(request);
  const std::string method(request.method_string());
  const connectors::InboundRequest inbound_request{method, request.target(), &headers,
                                                   request.body()};
  auto inbound = parse(app, route, inbound_request);
  if (!inbound) {
    app.metrics.count_refused(
        channel.name,
        inbound.error().kind == connectors::Refusal::Kind::malformed ? "malformed" : "signature");
    log::warn("webhook.refused", {{"channel", channel.name}, {"reason", inbound.error().reason}});
    co_return refusal_response(inbound.error(), version);
  }
  if (inbound->reply_body) {
    co_return text_response(http::status::ok, *inbound->reply_body, "text/plain", version);
  }

  const auto content = app.content.current();
  for (const connectors::InboundEvent& event : inbound->events) {
    if (const auto* message = std::get_if<connectors::MessageEvent>(&event)) {
      InboundMessage turn_input;
      turn_input.channel = std::string(channel.name);
      turn_input.subject_pseudonym = app.pseudonymizer.pseudonym(channel.name, message->address);
      if (!admit_subject_message(app, channel.name, turn_input.subject_pseudonym)) continue;
      turn_input.channel_message_id = message->channel_message_id;
      turn_input.contact_address = message->address;
      turn_input.text = message->text;
      turn_input.event.kind = message->choice_id.empty() ? dialogs::InboundEvent::Kind::text
                                                         : dialogs::InboundEvent::Kind::choice;
      turn_input.event.text = message->text;
      turn_input.event.choice_id = message->choice_id;
      turn_input.event.language_hint = message->language_hint;
      turn_input.event.phone_prefix = phone_prefix_of(message->address);
      if (message->media) turn_input.media_kind = message->media->kind;
      if (message->location) {  // a pin: the report form's location
        turn_input.event.has_location = true;
        turn_input.event.latitude = message->location->latitude;
        turn_input.event.longitude = message->location->longitude;
      }
      if (message->media && (message->media->kind == "image" || message->media->kind == "photo")) {
        turn_input.event.media_ref = message->media->media_id;  // the report form's photo
      }
      turn_input.interaction_id = message->interaction_id;
      const std::string_view name = channel.name;
      const ReplyRenderer render = [&app, name](const dialogs::Reply& reply) {
        return reply_payloads(reply, name, app);
      };
      const dialogs::NotificationCatalog* notifications = app.notifications.get();
      auto outcome =
          co_await run_turn(*app.store, *content, turn_input, render,
                            std::chrono::system_clock::now(), notifications, app.cases.get());
      if (!outcome) {
        log::warn("webhook.turn_failed",
                  {{"channel", channel.name}, {"reason", outcome.error().message}});
        co_return json_error(http::status::service_unavailable, "unavailable",
                             "the message could not be stored; retry later", version);
      }
      if (!outcome->duplicate) app.metrics.count_inbound(channel.name);
    }
    if (const auto* status = std::get_if<connectors::StatusEvent>(&event)) {
      store::OutboxStatusUpdate update;
      update.channel = std::string(channel.name);
      update.provider_message_id = status->provider_message_id;
      // Kannel's delivery reports carry our own reference, WhatsApp echoes it separately.
      update.reference = route == RouteId::kannel_delivery_report ? status->provider_message_id
                                                                  : status->reference;
      update.state = static_cast<store::OutboxStatusUpdate::State>(status->state);
      update.error = status->error;
      update.at = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
      const auto submit = [&app, &update](auto done) {
        app.store->apply_outbox_status(std::move(update), std::move(done));
      };
      auto applied = co_await await_callback<store::Result<bool>>(submit);
      if (!applied) {
        co_return json_error(http::status::service_unavailable, "unavailable",
                             "the status could not be stored; retry later", version);
      }
    }
    if (const auto* opt_out = std::get_if<connectors::OptOutEvent>(&event)) {
      // Takes effect at once; no confirmation (the person blocked us).
      app.metrics.count_refused(channel.name, "opted_out");
      std::string pseudonym = app.pseudonymizer.pseudonym(channel.name, opt_out->address);
      std::string how = opt_out->how.empty() ? std::string("blocked") : opt_out->how;
      const store::Millis at = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
      const auto submit = [&app, &pseudonym, &how, at](auto done) {
        app.store->record_opt_out(std::move(pseudonym), std::move(how), at, std::move(done));
      };
      auto recorded = co_await await_callback<store::Result<bool>>(submit);
      if (!recorded) {
        co_return json_error(http::status::service_unavailable, "unavailable",
                             "the opt-out could not be stored; retry later", version);
      }
      if (*recorded)
        log::info("subscriber.opted_out", {{"channel", channel.name}, {"how", opt_out->how}});
    }
  }
  if (app.wake_outbox) app.wake_outbox();
  co_return json_response(http::status::ok, R"({"status":"ok"})", version);
}

}  // namespace buurtlijn::gateway
