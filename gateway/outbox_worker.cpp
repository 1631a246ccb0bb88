// See outbox_worker.hpp. The Loop lives on the worker thread; the Inbox is the only state
// shared with other threads (the owner's wake/stop, the store's writer callbacks).
#include "gateway/outbox_worker.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <utility>

#include "connectors/kannel/kannel.hpp"
#include "connectors/open311/open311_client.hpp"
#include "connectors/outbound_payload.hpp"
#include "connectors/telegram/telegram.hpp"
#include "connectors/whatsapp/whatsapp.hpp"
#include "gateway/forwarders.hpp"
#include "gateway/http_client.hpp"
#include "gateway/log.hpp"
#include "gateway/media_jobs.hpp"
#include "gateway/token_bucket.hpp"

namespace buurtlijn::gateway {

namespace {

store::Millis wall_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr std::chrono::milliseconds kCountsInterval{2000};
constexpr std::chrono::milliseconds kRecoveryRetry{1000};

}  // namespace

// Handed over from other threads to the worker thread.
struct OutboxWorker::Inbox {
  std::mutex mutex;
  HttpClient* http = nullptr;  // set while the loop runs, for wakeups
  bool stop = false;
  std::chrono::steady_clock::time_point deadline{};
  bool woken = false;
  std::vector<store::ClaimedOutboxItem> claimed;
  std::vector<std::string> claims_answered;  // channel names
  std::optional<std::int64_t> recovered;     // items put back, once recovery committed
  bool recovery_failed = false;

  // Caller holds the mutex.
  void notify_locked() const {
    if (http != nullptr) http->wakeup();
  }
};

struct OutboxWorker::Channel {
  std::string name;
  TokenBucket bucket;
  KeySpacing per_chat;
  std::function<connectors::HttpCall(const connectors::OutboundMessage&)> render;
  std::function<connectors::SendOutcome(const connectors::ProviderResponse&)> classify;
  bool claim_pending = false;
  std::deque<store::ClaimedOutboxItem> ready;  // claimed, waiting for a token
};

class OutboxWorker::Loop {
 public:
  Loop(store::Store& store, const Config& config, Metrics& metrics, std::shared_ptr<Inbox> inbox)
      : store_(store),
        config_(config),
        metrics_(metrics),
        inbox_(std::move(inbox)),
        http_(config.outbox.request_timeout),
        media_(config, http_, store),
        random_(std::random_device{}()) {
    build_channels();
  }

  void run();

 private:
  void build_channels();
  // True for channels whose status callbacks carry our reference back.
  bool echoes_reference(const std::string& channel) const {
    return channel == "whatsapp" ||
           (channel == "kannel" && !config_.secrets.kannel_dlr_url.empty());
  }
  Channel* channel_named(const std::string& name);
  void take_inbox(bool& stop, std::chrono::steady_clock::time_point& deadline, bool& woken);
  void submit_recovery();
  void dispatch(std::chrono::steady_clock::time_point now);
  void send(Channel& channel, store::ClaimedOutboxItem item);
  // The forwarders' channels ("email", "open311"): rendered from the item itself.
  void send_forward(Channel& channel, store::ClaimedOutboxItem item);
  // The "media" channel: a report photo fetched from its provider (media_jobs.hpp).
  void send_media(Channel& channel, store::ClaimedOutboxItem item);
  void on_answer(Channel& channel, const store::ClaimedOutboxItem& item, HttpResult answer);
  void finish(const Channel& channel, store::OutboxOutcome outcome, std::string_view result);
  void flush_outcomes();
  void claim(std::chrono::steady_clock::time_point now);
  void refresh_counts();
  void release_ready();
  bool claims_pending() const;
  std::chrono::milliseconds next_wait(std::chrono::steady_clock::time_point now);

  store::Store& store_;
  const Config& config_;
  Metrics& metrics_;
  std::shared_ptr<Inbox> inbox_;
  HttpClient http_;
  MediaJobs media_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::vector<store::OutboxOutcome> outcomes_;
  std::mt19937_64 random_;
  bool recovered_ = false;
  bool recovery_pending_ = false;
  std::chrono::steady_clock::time_point recovery_retry_at_{};
  std::chrono::steady_clock::time_point last_claim_{};
  std::chrono::steady_clock::time_point last_counts_{};
};

void OutboxWorker::Loop::build_channels() {
  const Secrets& secrets = config_.secrets;
  const OutboxConfig& outbox = config_.outbox;
  const auto now = std::chrono::steady_clock::now();
  const auto add = [&](std::string name, const ChannelLimits& limits, auto render, auto classify) {
    auto channel = std::make_unique<Channel>(
        Channel{std::move(name),
                TokenBucket(limits.messages_per_second, limits.burst, now),
                KeySpacing(limits.per_conversation_per_second),
                std::move(render),
                std::move(classify),
                false,
                {}});
    channels_.push_back(std::move(channel));
  };
  if (secrets.whatsapp_enabled()) {
    connectors::whatsapp::Settings settings;
    settings.app_secret = secrets.whatsapp_app_secret;
    settings.verify_token = secrets.whatsapp_verify_token;
    settings.access_token = secrets.whatsapp_token;
    settings.phone_number_id = secrets.whatsapp_phone_number_id;
    if (!secrets.whatsapp_api_base.empty()) settings.api_base = secrets.whatsapp_api_base;
    add(
        "whatsapp", outbox.whatsapp,
        [settings](const connectors::OutboundMessage& message) {
          return connectors::whatsapp::render(message, settings);
        },
        &connectors::whatsapp::classify_response);
  }
  if (secrets.telegram_enabled()) {
    connectors::telegram::Settings settings;
    settings.bot_token = secrets.telegram_token;
    settings.secret_token = secrets.telegram_secret;
    if (!secrets.telegram_api_base.empty()) settings.api_base = secrets.telegram_api_base;
    add(
        "telegram", outbox.telegram,
        [settings](const connectors::OutboundMessage& message) {
          return connectors::telegram::render(message, settings);
        },
        &connectors::telegram::classify_response);
  }
  if (secrets.kannel_enabled()) {
    connectors::kannel::Settings settings;
    settings.callback_secret = secrets.kannel_secret;
    settings.sendsms_url = secrets.kannel_sendsms_url;
    settings.username = secrets.kannel_username;
    settings.password = secrets.kannel_password;
    settings.sender = secrets.kannel_sender;
    settings.dlr_url = secrets.kannel_dlr_url;
    settings.max_segments = outbox.sms_max_segments;
    add(
        "kannel", outbox.kannel,
        [settings](const connectors::OutboundMessage& message) {
          return connectors::kannel::render(message, settings);
        },
        &connectors::kannel::classify_response);
  }
  // Forwarders of new cases (gateway/forwarders.hpp): a few calls a second at most.
  const ChannelLimits forward_limits{5.0, 5, 0.0};
  const auto unused_render = [](const connectors::OutboundMessage&) {
    return connectors::HttpCall{};
  };
  bool any_email = false;
  bool any_open311 = false;
  for (const Forwarder& forwarder : config_.forwarding.forwarders) {
    any_email = any_email || forwarder.email.has_value();
    any_open311 = any_open311 || forwarder.open311.has_value();
  }
  if (any_email) {
    // libcurl answers CURLE_OK only when the server accepted the message (250).
    add(std::string(kEmailChannel), forward_limits, unused_render,
        [](const connectors::ProviderResponse& response) {
          connectors::SendOutcome outcome;
          if (response.status < 200 || response.status >= 300) {
            outcome.kind = connectors::SendOutcome::Kind::retry;
            outcome.reason = "smtp: " + std::to_string(response.status);
          }
          return outcome;
        });
  }
  if (any_open311) {
    add(std::string(kOpen311Channel), forward_limits, unused_render,
        &connectors::open311::classify_post_response);
  }
  if (media_jobs_enabled(config_)) {
    // Only failed calls reach classify (MediaJobs decides the rest): retry them.
    add(std::string(kMediaChannel),
        ChannelLimits{config_.media.downloads_per_second,
                      static_cast<unsigned>(std::max(1.0, config_.media.downloads_per_second)),
                      0.0},
        unused_render, [](const connectors::ProviderResponse& response) {
          connectors::SendOutcome outcome;
          outcome.kind = connectors::SendOutcome::Kind::retry;
          outcome.reason = "media: " + std::to_string(response.status);
          return outcome;
        });
  }
}

OutboxWorker::Channel* OutboxWorker::Loop::channel_named(const std::string& name) {
  for (auto& channel : channels_) {
    if (channel->name == name) return channel.get();
  }
  return nullptr;
}

void OutboxWorker::Loop::take_inbox(bool& stop, std::chrono::steady_clock::time_point& deadline,
                                    bool& woken) {
  std::vector<store::ClaimedOutboxItem> claimed;
  std::vector<std::string> answered;
  {
    const std::lock_guard lock(inbox_->mutex);
    stop = inbox_->stop;
    deadline = inbox_->deadline;
    woken = std::exchange(inbox_->woken, false);
    claimed.swap(inbox_->claimed);
    answered.swap(inbox_->claims_answered);
    if (inbox_->recovered && !recovered_) {
      recovered_ = true;
      recovery_pending_ = false;
      log::info("outbox.recovered", {{"requeued_inflight", *inbox_->recovered},
                                     {"grace_ms", config_.outbox.inflight_grace.count()}});
    }
    if (std::exchange(inbox_->recovery_failed, false)) {
      recovery_pending_ = false;
      recovery_retry_at_ = std::chrono::steady_clock::now() + kRecoveryRetry;
    }
  }
  for (store::ClaimedOutboxItem& item : claimed) {
    if (Channel* channel = channel_named(item.channel)) channel->ready.push_back(std::move(item));
  }
  for (const std::string& name : answered) {
    if (Channel* channel = channel_named(name)) channel->claim_pending = false;
  }
}

void OutboxWorker::Loop::submit_recovery() {
  std::vector<std::pair<std::string, store::Millis>> grace;
  const store::Millis grace_ms = config_.outbox.inflight_grace.count();
  for (const auto& channel : channels_) {
    // Only channels that echo our reference can resolve an item during the grace.
    if (echoes_reference(channel->name)) grace.emplace_back(channel->name, grace_ms);
  }
  recovery_pending_ = true;
  auto inbox = inbox_;
  store_.recover_inflight_outbox(
      std::move(grace), wall_millis(), [inbox](store::Result<std::int64_t> result) {
        const std::lock_guard lock(inbox->mutex);
        if (result) {
          inbox->recovered = *result;
        } else {
          inbox->recovery_failed = true;
          log::error("outbox.recovery_failed", {{"reason", result.error().message}});
        }
        inbox->notify_locked();
      });
}

void OutboxWorker::Loop::dispatch(std::chrono::steady_clock::time_point now) {
  const std::size_t max_in_flight = std::max(1U, config_.outbox.max_in_flight);
  for (auto& channel : channels_) {
    for (auto it = channel->ready.begin();
         it != channel->ready.end() && http_.in_flight() < max_in_flight;) {
      const std::int64_t chat = it->conversation_id;
      if (chat != 0 && !channel->per_chat.allowed(chat, now)) {
        ++it;  // this chat had its message a moment ago; others may go first
        continue;
      }
      if (!channel->bucket.try_take(now)) break;
      if (chat != 0) channel->per_chat.record(chat, now);
      store::ClaimedOutboxItem item = std::move(*it);
      it = channel->ready.erase(it);
      send(*channel, std::move(item));
    }
    channel->per_chat.prune(now);
  }
}

void OutboxWorker::Loop::send_forward(Channel& channel, store::ClaimedOutboxItem item) {
  Channel* target = &channel;
  auto done = [this, target, item](HttpResult answer) {
    on_answer(*target, item, std::move(answer));
  };
  if (channel.name == kEmailChannel) {
    auto call = render_email_item(config_.forwarding, item, wall_millis());
    if (!call) {
      finish(channel, {item.id, store::OutboxOutcome::Kind::failed, {}, 0, call.error()}, "failed");
      return;
    }
    http_.start_mail(*call, std::move(done));
    return;
  }
  auto call = render_open311_item(config_.forwarding, item);
  if (!call) {
    finish(channel, {item.id, store::OutboxOutcome::Kind::failed, {}, 0, call.error()}, "failed");
    return;
  }
  http_.start(*call, std::move(done));
}

void OutboxWorker::Loop::send_media(Channel& channel, store::ClaimedOutboxItem item) {
  Channel* target = &channel;
  const bool last_attempt = item.attempts >= static_cast<int>(config_.outbox.max_attempts);
  media_.start(item, last_attempt, [this, target, item](MediaOutcome outcome) {
    switch (outcome.kind) {
      case MediaOutcome::Kind::done:
        finish(*target, {item.id, store::OutboxOutcome::Kind::sent, {}, 0, {}}, "sent");
        return;
      case MediaOutcome::Kind::failed:
        finish(*target, {item.id, store::OutboxOutcome::Kind::failed, {}, 0, outcome.reason},
               "failed");
        return;
      case MediaOutcome::Kind::transient:
        on_answer(*target, item, std::move(outcome.answer));
        return;
    }
  });
}

void OutboxWorker::Loop::send(Channel& channel, store::ClaimedOutboxItem item) {
  if (channel.name == kMediaChannel) {
    send_media(channel, std::move(item));
    return;
  }
  if (channel.name == kEmailChannel || channel.name == kOpen311Channel) {
    send_forward(channel, std::move(item));
    return;
  }
  auto message = connectors::decode_outbound_payload(item.payload_json);
  if (!message) {
    finish(channel, {item.id, store::OutboxOutcome::Kind::failed, {}, 0, message.error()},
           "failed");
    return;
  }
  if (item.address.empty()) {
    finish(channel,
           {item.id, store::OutboxOutcome::Kind::failed, {}, 0, "no contact address is known"},
           "failed");
    return;
  }
  message->address = item.address;
  message->reference = item.reference;
  const connectors::HttpCall call = channel.render(*message);
  Channel* target = &channel;
  http_.start(call, [this, target, item = std::move(item)](HttpResult answer) {
    on_answer(*target, item, std::move(answer));
  });
}

void OutboxWorker::Loop::on_answer(Channel& channel, const store::ClaimedOutboxItem& item,
                                   HttpResult answer) {
  const connectors::ProviderResponse response{answer.status, std::move(answer.body),
                                              answer.retry_after};
  connectors::SendOutcome outcome = channel.classify(response);
  // A call cut off after it left (a timeout, a reset) is in doubt like one cut off by a
  // crash: where the channel echoes our reference, wait the grace period for its status
  // callback before sending again.
  bool in_doubt = false;
  if (answer.status == 0) {
    outcome.kind = connectors::SendOutcome::Kind::retry;
    outcome.reason = "transport: " + answer.error;
    in_doubt = answer.maybe_received && echoes_reference(channel.name);
  }
  using Kind = connectors::SendOutcome::Kind;
  store::OutboxOutcome recorded;
  recorded.id = item.id;
  switch (outcome.kind) {
    case Kind::sent:
      recorded.kind = store::OutboxOutcome::Kind::sent;
      recorded.provider_message_id = outcome.provider_message_id;
      metrics_.count_outbound(channel.name);
      finish(channel, std::move(recorded), "sent");
      return;
    case Kind::permanent:
      recorded.kind = store::OutboxOutcome::Kind::failed;
      recorded.error = outcome.reason;
      if (outcome.opted_out) {
        // The person blocked us: their subscription stops now (no confirmation).
        log::info("outbox.opted_out", {{"channel", channel.name}, {"id", item.id}});
        store_.record_opt_out_of_outbox_item(
            item.id, "blocked", wall_millis(), [id = item.id](store::Result<bool> result) {
              if (!result) {
                log::error("outbox.opt_out_failed",
                           {{"id", id}, {"reason", result.error().message}});
              }
            });
      }
      finish(channel, std::move(recorded), "failed");
      return;
    case Kind::retry:
    case Kind::throttled:
      break;
  }
  const bool throttled = outcome.kind == Kind::throttled;
  recorded.error = outcome.reason;
  if (item.attempts >= static_cast<int>(config_.outbox.max_attempts)) {
    recorded.kind = store::OutboxOutcome::Kind::dead;
    finish(channel, std::move(recorded), "dead");
    return;
  }
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const auto retry_after = std::chrono::duration_cast<std::chrono::milliseconds>(
      throttled ? outcome.retry_after : std::chrono::seconds(0));
  auto delay = retry_delay(item.attempts, config_.outbox.initial_backoff,
                           config_.outbox.max_backoff, retry_after, uniform(random_));
  if (in_doubt) delay = std::max(delay, config_.outbox.inflight_grace);
  recorded.kind = store::OutboxOutcome::Kind::retry;
  recorded.next_attempt_at = wall_millis() + delay.count();
  finish(channel, std::move(recorded), throttled ? "throttled" : "retry");
}

void OutboxWorker::Loop::finish(const Channel& channel, store::OutboxOutcome outcome,
                                std::string_view result) {
  metrics_.count_outbox_attempt(channel.name, result);
  if (result == "sent" || result == "failed" || result == "dead") {
    metrics_.count_outbox_final(channel.name, result);
  }
  if (result != "sent") {
    // The provider's reason, never the text or the address.
    log::warn("outbox.attempt_failed", {{"channel", channel.name},
                                        {"id", outcome.id},
                                        {"result", result},
                                        {"reason", outcome.error}});
  }
  outcomes_.push_back(std::move(outcome));
}

void OutboxWorker::Loop::flush_outcomes() {
  if (outcomes_.empty()) return;
  store_.record_outbox_outcomes(
      std::exchange(outcomes_, {}), wall_millis(), [](store::Result<void> result) {
        if (!result) {
          // The items stay inflight and are resolved at the next
          // start, like after a crash.
          log::error("outbox.record_failed", {{"reason", result.error().message}});
        }
      });
}

void OutboxWorker::Loop::claim(std::chrono::steady_clock::time_point now) {
  std::size_t waiting = http_.in_flight();
  for (const auto& channel : channels_) waiting += channel->ready.size();
  const std::size_t max_in_flight = std::max(1U, config_.outbox.max_in_flight);
  const std::size_t room = max_in_flight > waiting ? max_in_flight - waiting : 0;
  // Each channel may claim an equal share of the free room, so that a busy channel does
  // not starve the others (the share is a claim limit; dispatch enforces max_in_flight).
  const std::size_t share =
      (room + channels_.size() - 1) / std::max<std::size_t>(1, channels_.size());
  for (auto& channel : channels_) {
    if (share == 0) break;
    if (channel->claim_pending) continue;
    const std::int64_t tokens =
        channel->bucket.available(now) - std::int64_t(channel->ready.size());
    if (tokens <= 0) continue;
    const std::size_t limit = std::min(share, static_cast<std::size_t>(tokens));
    channel->claim_pending = true;
    auto inbox = inbox_;
    std::string name = channel->name;
    store_.claim_outbox({channel->name}, limit, wall_millis(),
                        [inbox, name](store::Result<std::vector<store::ClaimedOutboxItem>> result) {
                          const std::lock_guard lock(inbox->mutex);
                          if (result) {
                            for (auto& item : *result) inbox->claimed.push_back(std::move(item));
                          } else {
                            log::error("outbox.claim_failed",
                                       {{"channel", name}, {"reason", result.error().message}});
                          }
                          inbox->claims_answered.push_back(name);
                          inbox->notify_locked();
                        });
  }
}

void OutboxWorker::Loop::refresh_counts() {
  auto counts = store_.outbox_counts();
  if (counts) {
    metrics_.set_outbox_items(counts->queued, counts->inflight, counts->failed, counts->dead);
  }
}

void OutboxWorker::Loop::release_ready() {
  for (auto& channel : channels_) {
    for (const store::ClaimedOutboxItem& item : channel->ready) {
      store::OutboxOutcome released;
      released.id = item.id;
      released.kind = store::OutboxOutcome::Kind::released;
      outcomes_.push_back(std::move(released));
    }
    channel->ready.clear();
  }
}

bool OutboxWorker::Loop::claims_pending() const {
  return std::any_of(channels_.begin(), channels_.end(),
                     [](const auto& channel) { return channel->claim_pending; });
}

std::chrono::milliseconds OutboxWorker::Loop::next_wait(std::chrono::steady_clock::time_point now) {
  auto wake_at = now + kClaimInterval;
  if (http_.in_flight() < std::max(1U, config_.outbox.max_in_flight)) {
    for (auto& channel : channels_) {
      for (const store::ClaimedOutboxItem& item : channel->ready) {
        const auto at = std::max(channel->bucket.next_token_at(now),
                                 item.conversation_id != 0
                                     ? channel->per_chat.allowed_at(item.conversation_id, now)
                                     : now);
        wake_at = std::min(wake_at, at);
      }
    }
  }
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake_at - now);
  return std::clamp(wait, std::chrono::milliseconds(0), kClaimInterval);
}

void OutboxWorker::Loop::run() {
  {
    const std::lock_guard lock(inbox_->mutex);
    inbox_->http = &http_;
  }
  boost::json::array names;
  for (const auto& channel : channels_) names.emplace_back(channel->name);
  log::info("outbox.started",
            {{"channels", std::move(names)}, {"max_in_flight", config_.outbox.max_in_flight}});
  for (;;) {
    bool stop = false;
    bool woken = false;
    std::chrono::steady_clock::time_point deadline;
    take_inbox(stop, deadline, woken);
    const auto now = std::chrono::steady_clock::now();
    if (stop) {
      release_ready();
      const bool idle = http_.in_flight() == 0 && !claims_pending() && !recovery_pending_;
      if (idle || now >= deadline) {
        if (!idle) {
          log::warn("outbox.stop_deadline", {{"abandoned_in_flight", http_.in_flight()}});
        }
        break;
      }
    } else {
      if (!recovered_ && !recovery_pending_ && now >= recovery_retry_at_) submit_recovery();
      dispatch(now);
    }
    flush_outcomes();  // before any claim, so that the claim sees the outcomes
    if (!stop && recovered_ && (woken || now - last_claim_ >= kClaimInterval)) {
      claim(now);
      last_claim_ = now;
    }
    if (now - last_counts_ >= kCountsInterval) {
      refresh_counts();
      last_counts_ = now;
    }
    http_.run_once(stop ? std::chrono::milliseconds(10)
                        : next_wait(std::chrono::steady_clock::now()));
  }
  flush_outcomes();
  http_.abandon_all();  // they stay inflight in the store: resolved at the next start
  const std::lock_guard lock(inbox_->mutex);
  inbox_->http = nullptr;
}

OutboxWorker::OutboxWorker(store::Store& store, const Config& config, Metrics& metrics)
    : store_(store), config_(config), metrics_(metrics), inbox_(std::make_shared<Inbox>()) {}

OutboxWorker::~OutboxWorker() {
  stop(std::chrono::steady_clock::now());
}

std::vector<std::string> OutboxWorker::configured_channels(const Config& config) {
  std::vector<std::string> names;
  if (config.secrets.whatsapp_enabled()) names.emplace_back("whatsapp");
  if (config.secrets.telegram_enabled()) names.emplace_back("telegram");
  if (config.secrets.kannel_enabled()) names.emplace_back("kannel");
  if (media_jobs_enabled(config)) names.emplace_back(kMediaChannel);
  for (const Forwarder& forwarder : config.forwarding.forwarders) {
    if (forwarder.email && std::find(names.begin(), names.end(), kEmailChannel) == names.end()) {
      names.emplace_back(kEmailChannel);
    }
    if (forwarder.open311 &&
        std::find(names.begin(), names.end(), kOpen311Channel) == names.end()) {
      names.emplace_back(kOpen311Channel);
    }
  }
  return names;
}

void OutboxWorker::start() {
  if (thread_.joinable() || configured_channels(config_).empty()) return;
  thread_ = std::thread([this] {
    try {
      Loop loop(store_, config_, metrics_, inbox_);
      loop.run();
    } catch (const std::exception& error) {
      log::error("outbox.worker_failed", {{"reason", error.what()}});
    }
  });
}

void OutboxWorker::wake() {
  const std::lock_guard lock(inbox_->mutex);
  inbox_->woken = true;
  inbox_->notify_locked();
}

void OutboxWorker::stop(std::chrono::steady_clock::time_point deadline) {
  {
    const std::lock_guard lock(inbox_->mutex);
    if (!inbox_->stop) {
      inbox_->stop = true;
      inbox_->deadline = deadline;
    }
    inbox_->notify_locked();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace buurtlijn::gateway
