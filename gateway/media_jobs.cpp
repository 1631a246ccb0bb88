// See media_jobs.hpp.
#include "gateway/media_jobs.hpp"

#include <boost/json.hpp>

#include "cases/status_texts.hpp"
#include "connectors/media/image.hpp"
#include "connectors/media/provider_media.hpp"
#include "connectors/outbound_payload.hpp"
#include "gateway/log.hpp"
#include "gateway/photo_files.hpp"
#include "store/case_store.hpp"

namespace buurtlijn::gateway {
namespace {

namespace media = connectors::media;

store::Millis wall_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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

connectors::whatsapp::Settings whatsapp_settings(const Secrets& secrets) {
  connectors::whatsapp::Settings settings;
  settings.access_token = secrets.whatsapp_token;
  settings.phone_number_id = secrets.whatsapp_phone_number_id;
  if (!secrets.whatsapp_api_base.empty()) settings.api_base = secrets.whatsapp_api_base;
  return settings;
}

connectors::telegram::Settings telegram_settings(const Secrets& secrets) {
  connectors::telegram::Settings settings;
  settings.bot_token = secrets.telegram_token;
  settings.secret_token = secrets.telegram_secret;
  if (!secrets.telegram_api_base.empty()) settings.api_base = secrets.telegram_api_base;
  return settings;
}

media::UrlPolicy url_policy(const std::vector<std::string>& hosts, const std::string& api_base) {
  return media::UrlPolicy{hosts, media::is_loopback_http_base(api_base)};
}

// The text key of the sender's message for a refusal.
std::string message_key(std::string_view refusal) {
  if (refusal == "too_large") return "photo_too_large";
  if (refusal == "not_an_image") return "photo_not_an_image";
  return "photo_unusable";
}

bool transient_status(unsigned status) {
  return status == 0 || status == 429 || status >= 500;
}

}  // namespace

bool media_jobs_enabled(const Config& config) {
  return config.media.enabled &&
         (config.secrets.whatsapp_enabled() || config.secrets.telegram_enabled());
}

struct MediaJobs::Job {
  std::int64_t item_id = 0;
  std::int64_t report_id = 0;
  std::int64_t report_number = 0;
  std::string channel;
  std::string media_id;
  std::string language;
  bool last_attempt = false;
  std::function<void(MediaOutcome)> done;
};

MediaJobs::MediaJobs(const Config& config, HttpClient& http, store::Store& store)
    : config_(config), http_(http), store_(store) {}

void MediaJobs::start(const store::ClaimedOutboxItem& item, bool last_attempt,
                      std::function<void(MediaOutcome)> done) {
  boost::system::error_code error;
  const boost::json::value parsed = boost::json::parse(item.payload_json, error);
  auto job = std::make_shared<Job>();
  job->item_id = item.id;
  job->last_attempt = last_attempt;
  job->done = std::move(done);
  if (!error && parsed.is_object()) {
    const auto& payload = parsed.as_object();
    job->report_id = int_field(payload, "report_id");
    job->report_number = int_field(payload, "report_number");
    job->channel = string_field(payload, "channel");
    job->media_id = string_field(payload, "media_id");
    job->language = string_field(payload, "lang");
  }
  if (!error && parsed.is_object() && parsed.as_object().empty()) {
    // Scrubbed by attach_report_photo: the job ended before a crash or stop kept its
    // outcome from being recorded.
    job->done({MediaOutcome::Kind::done, "already recorded", {}});
    return;
  }
  if (job->report_id == 0 || job->media_id.empty()) {
    job->done({MediaOutcome::Kind::failed, "the media payload names no report or media", {}});
    return;
  }
  connectors::HttpCall call;
  if (job->channel == "whatsapp" && config_.secrets.whatsapp_enabled()) {
    call = media::whatsapp_lookup_call(whatsapp_settings(config_.secrets), job->media_id);
  } else if (job->channel == "telegram" && config_.secrets.telegram_enabled()) {
    call = media::telegram_lookup_call(telegram_settings(config_.secrets), job->media_id);
  } else {
    conclude(job, {}, "unavailable", "channel '" + job->channel + "' is not configured");
    return;
  }
  http_.start_download(call, HttpClient::kMaxResponseBytes, config_.media.download_timeout,
                       [this, job](HttpResult answer) { lookup_answered(job, std::move(answer)); });
}

void MediaJobs::lookup_answered(const std::shared_ptr<Job>& job, HttpResult answer) {
  if (answer.status == 0) {
    std::string reason = "lookup: " + answer.error;
    transient(job, std::move(answer), std::move(reason));
    return;
  }
  const connectors::ProviderResponse response{answer.status, answer.body, answer.retry_after};
  const bool whatsapp = job->channel == "whatsapp";
  const auto location =
      whatsapp ? media::parse_whatsapp_lookup(response)
               : media::parse_telegram_lookup(telegram_settings(config_.secrets), response);
  if (!location) {
    if (location.error().transient) {
      std::string reason = location.error().reason;
      transient(job, std::move(answer), std::move(reason));
    } else {
      conclude(job, {}, "unavailable", location.error().reason);
    }
    return;
  }
  if (location->file_size && *location->file_size > config_.media.max_bytes) {
    conclude(job, {}, "too_large", "the provider announces more than media.max_bytes");
    return;
  }
  const media::UrlPolicy policy =
      whatsapp
          ? url_policy(config_.media.whatsapp_hosts, whatsapp_settings(config_.secrets).api_base)
          : url_policy(config_.media.telegram_hosts, telegram_settings(config_.secrets).api_base);
  if (const auto refused = media::refuse_url(location->url, policy)) {
    log::warn("media.url_refused", {{"channel", job->channel}, {"reason", *refused}});
    conclude(job, {}, "not_allowed", *refused);
    return;
  }
  const connectors::HttpCall call =
      whatsapp ? media::whatsapp_download_call(whatsapp_settings(config_.secrets), location->url)
               : media::telegram_download_call(location->url);
  http_.start_download(call, config_.media.max_bytes, config_.media.download_timeout,
                       [this, job](HttpResult download) { downloaded(job, std::move(download)); });
}

void MediaJobs::downloaded(const std::shared_ptr<Job>& job, HttpResult answer) {
  if (answer.too_large) {
    conclude(job, {}, "too_large", "the download passed media.max_bytes and was cut off");
    return;
  }
  if (transient_status(answer.status)) {
    const std::string reason = answer.status == 0
                                   ? "download: " + answer.error
                                   : "download answered " + std::to_string(answer.status);
    transient(job, std::move(answer), reason);
    return;
  }
  if (answer.status < 200 || answer.status >= 300) {
    // 3xx included: redirects are never followed.
    conclude(job, {}, "unavailable", "download answered " + std::to_string(answer.status));
    return;
  }
  auto image = media::clean_image(answer.body, config_.media.max_bytes);
  if (!image) {
    conclude(job, {}, std::string(media::to_string(image.error().kind)), image.error().reason);
    return;
  }
  auto id = write_photo(photos_dir(config_.store.data_dir), image->bytes);
  if (!id) {
    // The disk, not the photo: try again later.
    HttpResult failed;
    failed.error = id.error();
    failed.maybe_received = false;
    std::string reason = id.error();
    transient(job, std::move(failed), std::move(reason));
    return;
  }
  log::info("media.stored", {{"channel", job->channel},
                             {"type", std::string(media::mime_type(image->type))},
                             {"bytes", static_cast<std::int64_t>(image->bytes.size())}});
  conclude(job, std::string(kStoredPhotoPrefix) + *id, {}, {});
}

void MediaJobs::transient(const std::shared_ptr<Job>& job, HttpResult answer, std::string reason) {
  if (job->last_attempt) {
    conclude(job, {}, "unavailable", "attempts used up: " + reason);
    return;
  }
  MediaOutcome outcome;
  outcome.kind = MediaOutcome::Kind::transient;
  outcome.reason = std::move(reason);
  outcome.answer = std::move(answer);
  if (outcome.answer.status == 0 && outcome.answer.error.empty()) {
    outcome.answer.error = outcome.reason;
  }
  job->done(std::move(outcome));
}

void MediaJobs::conclude(const std::shared_ptr<Job>& job, std::string photo_ref,
                         std::string refusal, std::string reason) {
  store::ReportPhoto photo;
  photo.report_id = job->report_id;
  photo.media_item_id = job->item_id;
  photo.expected_ref = job->media_id;
  photo.channel = job->channel;
  photo.at = wall_millis();
  if (refusal.empty()) {
    photo.photo_ref = std::move(photo_ref);
  } else {
    photo.photo_ref = "refused:" + refusal;
    log::info("media.refused",
              {{"channel", job->channel}, {"refusal", refusal}, {"reason", reason}});
    if (const cases::StatusTexts* texts = status_texts()) {
      const std::string language = texts->resolved_language(job->language);
      connectors::OutboundMessage message;
      message.text = texts->format(language, message_key(refusal), job->report_number);
      message.language = language;
      if (!message.text.empty()) {
        photo.message_text = message.text;
        photo.message_payload = connectors::encode_outbound_payload(message);
      }
    }
  }
  const std::optional<std::string> stored = stored_photo_id(photo.photo_ref);
  const std::filesystem::path dir = photos_dir(config_.store.data_dir);
  store_.cases().attach_report_photo(std::move(photo), [stored, dir](store::Result<bool> changed) {
    if (!changed) {
      // The file stays unreferenced and goes with the next sweep; the item stays in
      // flight and is retried after a restart.
      log::error("media.record_failed", {{"reason", changed.error().message}});
      return;
    }
    if (!*changed && stored) delete_photo(dir, *stored);  // the report went meanwhile
  });
  job->done({MediaOutcome::Kind::done, refusal.empty() ? "stored" : refusal, {}});
}

}  // namespace buurtlijn::gateway
