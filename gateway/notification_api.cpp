// See notification_api.hpp.
#include "gateway/notification_api.hpp"

#include <boost/json.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "connectors/kannel/kannel.hpp"
#include "connectors/outbound_payload.hpp"
#include "gateway/api_keys.hpp"
#include "gateway/app.hpp"
#include "gateway/log.hpp"
#include "gateway/store_await.hpp"
#include "locales/embedded_notifications.hpp"

namespace buurtlijn::gateway {
namespace json = boost::json;

namespace {

Response problem_response(const RequestProblem& problem, unsigned version) {
  return json_error(static_cast<http::status>(problem.status), problem.error, problem.message,
                    version);
}

// The WhatsApp language code of the template for `language`, following the fallback chain.
std::string template_language(const WhatsappTemplate& mapped,
                              const std::vector<std::string>& chain) {
  for (const std::string& code : chain) {
    const auto found = mapped.languages.find(code);
    if (found != mapped.languages.end()) return found->second;
  }
  return mapped.languages.begin()->second;
}

// Returns the key API id, or a 401 response.
std::optional<std::int64_t> authorize(App& app, const Request& request) {
  const auto header = request.find(http::field::authorization);
  if (header == request.end()) return std::nullopt;
  const std::string_view token = bearer_token(header->value());
  auto keys = app.store->api_keys();
  if (!keys) {
    log::warn("notifications.keys_unreadable", {{"reason", keys.error().message}});
    return std::nullopt;
  }
  return match_api_key(token, *keys);
}

Response unauthorized(unsigned version) {
  Response response =
      json_error(http::status::unauthorized, "unauthorized",
                 "a valid API key is required (Authorization: Bearer <key>)", version);
  response.set(http::field::www_authenticate, "Bearer");
  return response;
}

}  // namespace

RecipientRoute route_recipient(std::string_view channel, store::Millis last_inbound_at,
                               store::Millis now, bool has_template) {
  const bool outside_window =
      channel == "whatsapp" && (last_inbound_at == 0 || now - last_inbound_at > kWhatsappWindow);
  if (!outside_window) return RecipientRoute::direct;
  return has_template ? RecipientRoute::whatsapp_template : RecipientRoute::skipped;
}

const WhatsappTemplate* whatsapp_template_for(const NotificationRequest& request,
                                              const Config& config) {
  if (!request.node_id.empty()) return nullptr;  // a node's answer has no approved template
  const auto mapping = config.notifications.whatsapp_templates.find(request.template_key);
  return mapping == config.notifications.whatsapp_templates.end() ? nullptr : &mapping->second;
}

tl::expected<dialogs::LocalizedText, RequestProblem> render_notification_text(
    const NotificationRequest& request, std::string_view language, std::string_view second_language,
    const dialogs::NotificationCatalog& catalog, const dialogs::Content* content) {
  if (request.node_id.empty()) {
    auto text =
        catalog.render_template(request.template_key, language, second_language, request.params);
    if (!text) return tl::unexpected(RequestProblem{400, "invalid_parameter", text.error()});
    return *text;
  }
  if (content == nullptr || content->node(request.node_id) == nullptr) {
    return tl::unexpected(
        RequestProblem{400, "unknown_node", "unknown dialog node \"" + request.node_id + "\""});
  }
  dialogs::Arguments arguments;
  for (const auto& [name, value] : request.params) arguments[name] = value;
  auto text = content->render(dialogs::node_text_key(request.node_id), language, second_language,
                              arguments);
  if (!text) {
    return tl::unexpected(RequestProblem{400, "invalid_parameter", text.error().describe()});
  }
  return *text;
}

tl::expected<BuiltBatch, RequestProblem> build_notification_batch(
    const NotificationRequest& request, const std::vector<store::NotificationRecipient>& recipients,
    const dialogs::NotificationCatalog& catalog, const Config& config, store::Millis now,
    const dialogs::Content* content) {
  BuiltBatch built;
  built.batch.template_key = request.template_key;
  built.batch.target_json = request.target_json;
  built.batch.at = now;
  built.batch.items.reserve(recipients.size());
  const WhatsappTemplate* mapped = whatsapp_template_for(request, config);
  // channel, language, second language, template or not -> payload indexes
  std::map<std::string, std::vector<std::size_t>, std::less<>> cache;
  std::string key;
  for (const store::NotificationRecipient& recipient : recipients) {
    const RecipientRoute route =
        route_recipient(recipient.channel, recipient.last_inbound_at, now, mapped != nullptr);
    if (route == RecipientRoute::skipped) {
      ++built.skipped;
      continue;
    }
    const bool outside_window = route == RecipientRoute::whatsapp_template;
    key.assign(recipient.channel);
    key += '|';
    key += recipient.language;
    key += '|';
    key += recipient.second_language;
    key += outside_window ? "|t" : "|f";
    auto found = cache.find(key);
    if (found == cache.end()) {
      auto text = render_notification_text(request, recipient.language, recipient.second_language,
                                           catalog, content);
      if (!text) return tl::unexpected(text.error());
      connectors::OutboundMessage message;
      message.text = text->text;
      message.language = text->language;
      std::vector<std::string> payloads;
      if (outside_window) {
        message.template_name = mapped->name;
        message.template_language = template_language(
            *mapped, catalog.fallback_chain(recipient.language, recipient.second_language));
        for (const std::string& name : mapped->parameters) {
          const auto value = request.params.find(name);
          message.template_parameters.push_back(value == request.params.end() ? std::string()
                                                                              : value->second);
        }
        payloads.push_back(connectors::encode_outbound_payload(message));
      } else if (recipient.channel == "kannel") {
        for (std::string& part :
             connectors::kannel::split_message(message.text, config.outbox.sms_max_segments)) {
          message.text = std::move(part);
          payloads.push_back(connectors::encode_outbound_payload(message));
        }
      } else {
        payloads.push_back(connectors::encode_outbound_payload(message));
      }
      std::vector<std::size_t> indexes;
      for (std::string& payload : payloads) {
        indexes.push_back(built.batch.payloads.size());
        built.batch.payloads.push_back(std::move(payload));
      }
      found = cache.emplace(key, std::move(indexes)).first;
    }
    bool first = true;
    for (const std::size_t index : found->second) {
      built.batch.items.push_back(
          store::NotificationBatch::Item{recipient.subscriber_id, index, first});
      first = false;
    }
  }
  return built;
}

NotificationPreview preview_counts(const std::vector<store::RecipientGroup>& groups,
                                   bool has_whatsapp_template) {
  NotificationPreview preview;
  std::map<std::string, NotificationPreview::Channel> channels;
  std::map<std::string, std::int64_t> languages;
  for (const store::RecipientGroup& group : groups) {
    NotificationPreview::Channel& channel = channels[group.channel];
    channel.channel = group.channel;
    // The same rule as route_recipient(): outside the window, a template or nothing.
    if (!group.outside_window) {
      channel.direct += group.subscribers;
    } else if (has_whatsapp_template) {
      channel.whatsapp_template += group.subscribers;
    } else {
      channel.skipped += group.subscribers;
      preview.skipped += group.subscribers;
      continue;
    }
    languages[group.language] += group.subscribers;
    preview.recipients += group.subscribers;
  }
  for (auto& [name, channel] : channels) preview.channels.push_back(channel);
  preview.languages.assign(languages.begin(), languages.end());
  return preview;
}

tl::expected<BuiltBatch, RequestProblem> prepare_notification(App& app,
                                                              const NotificationRequest& request,
                                                              store::Millis now) {
  if (!app.notifications) {
    return tl::unexpected(RequestProblem{503, "unavailable", "no notification catalog is loaded"});
  }
  auto recipients = app.store->notification_recipients(request.target);
  if (!recipients) {
    log::warn("notifications.recipients_unreadable", {{"reason", recipients.error().message}});
    return tl::unexpected(
        RequestProblem{503, "unavailable", "the subscribers could not be read; retry later"});
  }
  if (recipients->empty()) {
    return tl::unexpected(RequestProblem{422, "no_recipients",
                                         request.target.subject_pseudonym.empty()
                                             ? "no active subscriber matches the segment"
                                             : "the subject is not an active subscriber"});
  }
  if (recipients->size() > app.config.notifications.max_recipients) {
    return tl::unexpected(
        RequestProblem{422, "too_many_recipients",
                       "the segment has " + std::to_string(recipients->size()) +
                           " recipients, more than notifications.max_recipients"});
  }
  const auto content = app.content.current();
  return build_notification_batch(request, *recipients, *app.notifications, app.config, now,
                                  content.get());
}

std::string notification_counts_json(const store::NotificationCounts& counts) {
  json::object states;
  for (const auto& [state, n] : counts.by_state) states[state] = n;
  json::object channels;
  for (const auto& [channel, by_state] : counts.by_channel) {
    json::object c;
    for (const auto& [state, n] : by_state) c[state] = n;
    channels[channel == "kannel" ? "sms" : channel] = std::move(c);
  }
  return json::serialize(json::object{{"id", counts.id},
                                      {"template", counts.template_key},
                                      {"created_at", counts.created_at},
                                      {"recipients", counts.recipients},
                                      {"states", std::move(states)},
                                      {"channels", std::move(channels)}});
}

boost::asio::awaitable<Response> handle_create_notification(App& app, const Request& request) {
  const unsigned version = request.version();
  const auto api_key = authorize(app, request);
  if (!api_key) co_return unauthorized(version);
  if (!app.notifications) {
    co_return json_error(http::status::service_unavailable, "unavailable",
                         "no notification catalog is loaded", version);
  }
  auto parsed = parse_notification_request(request.body(), *app.notifications);
  if (!parsed) co_return problem_response(parsed.error(), version);
  const store::Millis now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  auto built = prepare_notification(app, *parsed, now);
  if (!built) co_return problem_response(built.error(), version);
  built->batch.api_key_id = *api_key;
  const std::size_t skipped = built->skipped;
  store::NotificationBatch batch = std::move(built->batch);
  const auto submit = [&app, &batch](auto done) {
    app.store->queue_notification(std::move(batch), std::move(done));
  };
  auto queued = co_await await_callback<store::Result<store::NotificationQueued>>(submit);
  if (!queued) {
    log::warn("notifications.queue_failed", {{"reason", queued.error().message}});
    co_return json_error(http::status::service_unavailable, "unavailable",
                         "the notification could not be stored; retry later", version);
  }
  log::info("notifications.queued", {{"id", queued->id},
                                     {"template", parsed->template_key},
                                     {"recipients", queued->recipients},
                                     {"skipped", static_cast<std::int64_t>(skipped)}});
  if (app.wake_outbox) app.wake_outbox();
  co_return json_response(
      http::status::accepted,
      json::serialize(json::object{
          {"id", queued->id}, {"recipients", queued->recipients}, {"skipped", skipped}}),
      version);
}

Response handle_notification_status(App& app, const Request& request, std::string_view id_text) {
  const unsigned version = request.version();
  if (!authorize(app, request)) return unauthorized(version);
  std::int64_t id = 0;
  const auto [ptr, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc{} || ptr != id_text.data() + id_text.size() || id <= 0) {
    return json_error(http::status::not_found, "not_found", "no such notification", version);
  }
  auto counts = app.store->notification_counts(id);
  if (!counts) {
    return json_error(http::status::service_unavailable, "unavailable",
                      "the notification could not be read; retry later", version);
  }
  if (!*counts) {
    return json_error(http::status::not_found, "not_found", "no such notification", version);
  }
  return json_response(http::status::ok, notification_counts_json(**counts), version);
}

tl::expected<std::shared_ptr<const dialogs::NotificationCatalog>, std::string>
load_notification_catalog(const std::string& locales_dir) {
  std::vector<std::pair<std::string, std::string>> files;
  if (locales_dir.empty()) {
    for (const auto& [name, text] : locales::embedded_notification_files()) {
      files.emplace_back(std::string(name), std::string(text));
    }
  } else {
    std::error_code error;
    const std::filesystem::path dir = std::filesystem::path(locales_dir) / "notifications";
    for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".yaml") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      files.emplace_back(entry.path().filename().string(), text.str());
    }
    if (error) return tl::unexpected("cannot read " + dir.string() + ": " + error.message());
  }
  auto catalog = dialogs::parse_notification_catalog(files);
  if (!catalog) return tl::unexpected(catalog.error().describe());
  return *catalog;
}

}  // namespace buurtlijn::gateway
