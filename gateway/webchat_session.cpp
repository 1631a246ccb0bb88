// See webchat_session.hpp.
#include "gateway/webchat_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <exception>

#include "gateway/app.hpp"
#include "gateway/conversation_turns.hpp"
#include "gateway/log.hpp"

namespace buurtlijn::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace frames = connectors::webchat;

namespace {
constexpr std::string_view kChannel = "webchat";
constexpr std::size_t kTokenBytes = 24;
// JSON escaping can make a frame up to six times its text ("\u00e9" for "é"), plus the
// envelope; the text limit itself is checked after parsing, with a clear error frame.
constexpr std::size_t kEscapingFactor = 6;
constexpr std::size_t kFrameOverhead = 1024;

bool is_token(std::string_view token) {
  if (token.size() < 16 || token.size() > 64) return false;
  for (const char c : token) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool right_to_left(const dialogs::Content& content, std::string_view language) {
  const dialogs::LanguageInfo* info = content.language(language);
  return info != nullptr && info->right_to_left;
}

std::vector<std::string> reply_payload(const dialogs::Reply& reply) {
  frames::BotMessage message;
  message.text = reply.text;
  message.language = reply.language;
  message.right_to_left = reply.right_to_left;
  for (const dialogs::Button& button : reply.buttons) {
    message.buttons.push_back(frames::OutButton{button.id, button.label});
  }
  return {frames::render_outbox_payload(message)};
}

std::optional<std::string> bot_frame(std::int64_t outbox_id, std::string_view payload) {
  auto message = frames::parse_outbox_payload(payload);
  if (!message) return std::nullopt;
  message->id = frames::outbox_message_id(outbox_id);
  return frames::render_bot_message(*message);
}

store::Millis now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

FrameRateLimit::FrameRateLimit(double per_second, unsigned burst)
    : per_second_(per_second), capacity_(burst), tokens_(burst) {}

bool FrameRateLimit::allow(std::chrono::steady_clock::time_point now) {
  if (last_ != std::chrono::steady_clock::time_point{}) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(capacity_, tokens_ + elapsed * per_second_);
  }
  last_ = now;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

WebchatSession::WebchatSession(App& app, beast::tcp_stream stream)
    : app_(app),
      socket_(std::move(stream)),
      rate_limit_(app.config.webchat.messages_per_second, app.config.webchat.burst) {}

void WebchatSession::start(Request request) {
  asio::co_spawn(socket_.get_executor(), run(std::move(request)),
                 [self = shared_from_this()](const std::exception_ptr& failure) {
                   if (!failure) return;
                   try {
                     std::rethrow_exception(failure);
                   } catch (const std::exception& error) {
                     log::error("webchat.session_failed", {{"what", error.what()}});
                   }
                   self->app_.webchat.remove(self.get());
                 });
}

asio::awaitable<void> WebchatSession::run(Request request) {
  beast::get_lowest_layer(socket_).expires_never();
  websocket::stream_base::timeout timeouts =
      websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout =
      std::chrono::duration_cast<std::chrono::seconds>(app_.config.webchat.idle_timeout);
  socket_.set_option(timeouts);
  socket_.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& response) { response.set(http::field::server, "buurtlijn"); }));
  socket_.read_message_max(app_.config.webchat.max_text_bytes * kEscapingFactor + kFrameOverhead);

  auto [accept_error] = co_await socket_.async_accept(request, asio::as_tuple(asio::use_awaitable));
  if (accept_error) co_return;
  app_.webchat.add(shared_from_this());

  beast::flat_buffer buffer;
  for (;;) {
    auto [error, bytes] = co_await socket_.async_read(buffer, asio::as_tuple(asio::use_awaitable));
    if (error) {
      // Oversized frames (1009) and invalid UTF-8 (1007) are refused by Beast itself,
      // which sends the close code; count them like every other refusal.
      if (error == websocket::error::message_too_big) {
        app_.metrics.count_refused(kChannel, "frame_too_big");
      } else if (error == websocket::error::bad_frame_payload) {
        app_.metrics.count_refused(kChannel, "invalid_utf8");
      }
      break;
    }
    const std::string frame = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    if (!socket_.got_text()) {
      refuse({"invalid_frame", "binary frames are not accepted", {}}, "binary_frame");
      continue;
    }
    co_await handle(frame);
  }
  app_.webchat.remove(this);
}

asio::awaitable<void> WebchatSession::handle(std::string_view frame) {
  const frames::FrameLimits limits{app_.config.webchat.max_text_bytes};
  auto parsed = frames::parse_client_frame(frame, limits);
  if (!parsed) {
    refuse(parsed.error(), parsed.error().code);
    co_return;
  }
  if (auto* received = std::get_if<frames::Received>(&*parsed)) {
    mark_received(*received);
    co_return;
  }
  if (!rate_limit_.allow(std::chrono::steady_clock::now())) {
    std::string id;
    std::visit(
        [&id](const auto& value) {
          if constexpr (requires { value.id; }) id = value.id;
        },
        *parsed);
    refuse({"rate_limited", "too many messages; wait a moment", id}, "rate_limited");
    co_return;
  }
  if (auto* hello = std::get_if<frames::Hello>(&*parsed)) {
    co_await greet(*hello);
    co_return;
  }
  if (pseudonym_.empty()) {
    refuse({"invalid_frame", "send hello first", {}}, "no_hello");
    co_return;
  }
  if (auto* text = std::get_if<frames::TextMessage>(&*parsed)) {
    dialogs::InboundEvent event;
    event.kind = dialogs::InboundEvent::Kind::text;
    event.text = text->text;
    co_await take_turn(text->id, text->text, std::move(event));
  } else if (auto* choice = std::get_if<frames::ButtonChoice>(&*parsed)) {
    dialogs::InboundEvent event;
    event.kind = dialogs::InboundEvent::Kind::choice;
    event.choice_id = choice->choice;
    co_await take_turn(choice->id, choice->label.empty() ? choice->choice : choice->label,
                       std::move(event));
  } else if (auto* pick = std::get_if<frames::LanguagePick>(&*parsed)) {
    if (!app_.content.current()->has_language(pick->language)) {
      refuse({"invalid_frame", "unknown language", pick->id}, "unknown_language");
      co_return;
    }
    dialogs::InboundEvent event;
    event.kind = dialogs::InboundEvent::Kind::language_choice;
    event.language = pick->language;
    co_await take_turn(pick->id, pick->language, std::move(event));
  }
}

asio::awaitable<void> WebchatSession::greet(const frames::Hello& hello) {
  if (!pseudonym_.empty()) {
    refuse({"invalid_frame", "hello was already received", {}}, "second_hello");
    co_return;
  }
  const std::string token = is_token(hello.token) ? hello.token : random_token(kTokenBytes);
  pseudonym_ = app_.pseudonymizer.pseudonym(kChannel, token);
  const auto content = app_.content.current();
  if (content->has_language(hello.language)) page_language_ = hello.language;

  auto conversation = app_.store->find_conversation(kChannel, pseudonym_);
  if (!conversation) {
    log::warn("webchat.store_unavailable", {{"reason", conversation.error().message}});
    pseudonym_.clear();
    refuse({"server_error", "storage is unavailable; try again", {}}, "store_unavailable");
    co_return;
  }
  if (*conversation) {
    conversation_id_ = (*conversation)->id;
    language_ = (*conversation)->language;
    app_.webchat.attach(conversation_id_, this);
  }
  // A page that remembers its language (its token was lost) keeps it: the first turn
  // then answers in it, as the engine takes the page language as the channel's hint.
  if (language_.empty()) language_ = page_language_;
  send(frames::render_ready(token, language_, right_to_left(*content, language_)));
  deliver_undelivered();
}

asio::awaitable<void> WebchatSession::take_turn(std::string client_id, std::string text,
                                                dialogs::InboundEvent event) {
  event.language_hint = page_language_;
  if (!app_.subject_limiter.admit(pseudonym_, std::chrono::steady_clock::now())) {
    refuse({"rate_limited", "too many messages; wait a moment", client_id}, "subject_rate_limited");
    co_return;
  }
  InboundMessage message;
  message.channel = std::string(kChannel);
  message.subject_pseudonym = pseudonym_;
  // Scoped by subject, so one visitor's ids can never collide with another's.
  message.channel_message_id = pseudonym_ + ":" + client_id;
  message.text = std::move(text);
  message.event = std::move(event);

  const auto content = app_.content.current();
  const ReplyRenderer render = reply_payload;  // named: see store_await.hpp on GCC 12
  auto outcome = co_await run_turn(*app_.store, *content, message, render,
                                   std::chrono::system_clock::now(), nullptr, app_.cases.get());
  if (!outcome) {
    log::warn("webchat.turn_failed", {{"reason", outcome.error().message},
                                      {"code", static_cast<int>(outcome.error().code)}});
    refuse({"server_error", "the message was not stored; it will be sent again", client_id},
           "store_unavailable");
    co_return;
  }
  refused_in_a_row_ = 0;
  if (conversation_id_ == 0 && outcome->conversation_id != 0) {
    conversation_id_ = outcome->conversation_id;
    app_.webchat.attach(conversation_id_, this);
  }
  send(frames::render_ack(client_id));
  if (outcome->duplicate) {
    deliver_undelivered();
    co_return;
  }
  app_.metrics.count_inbound(kChannel);
  if (outcome->language_changed && !outcome->language.empty()) {
    language_ = outcome->language;
    app_.webchat.deliver(conversation_id_,
                         frames::render_language(language_, right_to_left(*content, language_)));
  }
  for (const QueuedReply& reply : outcome->replies) {
    if (auto frame = bot_frame(reply.outbox_id, reply.payload_json)) {
      app_.webchat.deliver(conversation_id_, *frame);
      app_.metrics.count_outbound(kChannel);
    }
  }
  if (outcome->erased) {  // the conversation is gone; the next message starts a new one
    app_.webchat.attach(0, this);
    conversation_id_ = 0;
  }
  for (const dialogs::Action& action : outcome->actions) {
    if (action.kind == dialogs::Action::Kind::hand_over) {
      log::info("conversation.hand_over",
                {{"conversation_id", conversation_id_}, {"reason", action.reason}});
    }
  }
}

void WebchatSession::deliver_undelivered() {
  if (conversation_id_ == 0) return;
  auto items = app_.store->undelivered_outbox(conversation_id_);
  if (!items) {
    log::warn("webchat.store_unavailable", {{"reason", items.error().message}});
    return;
  }
  for (const store::OutboxItem& item : *items) {
    if (auto frame = bot_frame(item.id, item.payload_json)) {
      send(*frame);
    } else {
      log::error("webchat.bad_outbox_payload", {{"outbox_id", item.id}});
    }
  }
}

void WebchatSession::mark_received(const frames::Received& received) {
  if (conversation_id_ == 0 || received.ids.empty()) return;
  auto pending = app_.store->undelivered_outbox(conversation_id_);
  if (!pending) {
    log::warn("webchat.store_unavailable", {{"reason", pending.error().message}});
    return;
  }
  // Only this conversation's own items: a page cannot mark someone else's as delivered.
  std::vector<std::int64_t> ids;
  for (const std::string& id : received.ids) {
    auto outbox_id = frames::parse_outbox_message_id(id);
    if (!outbox_id) continue;
    for (const store::OutboxItem& item : *pending) {
      if (item.id == *outbox_id) ids.push_back(item.id);
    }
  }
  if (ids.empty()) return;
  app_.store->mark_delivered(std::move(ids), now_millis(), [](store::Result<void> result) {
    if (!result) log::warn("webchat.mark_delivered_failed", {{"reason", result.error().message}});
  });
}

void WebchatSession::refuse(const frames::FrameError& error, std::string_view reason) {
  app_.metrics.count_refused(kChannel, reason);
  send(frames::render_error(error));
  // A socket that keeps sending what is refused is a flood, not a person: close it.
  if (++refused_in_a_row_ > 2 * app_.config.webchat.burst) {
    close_after_writes(
        websocket::close_reason(websocket::close_code::policy_error, "too many refused frames"));
  }
}

void WebchatSession::send(std::string frame) {
  asio::post(socket_.get_executor(),
             [self = shared_from_this(), frame = std::move(frame)]() mutable {
               if (self->closing_) return;
               self->writes_.push_back(std::move(frame));
               if (self->writes_.size() == 1) self->write_next();
             });
}

void WebchatSession::write_next() {
  if (writes_.empty()) {
    if (close_reason_) {
      socket_.async_close(*close_reason_, [self = shared_from_this()](beast::error_code) {});
      close_reason_.reset();
    }
    return;
  }
  socket_.text(true);
  socket_.async_write(asio::buffer(writes_.front()),
                      [self = shared_from_this()](beast::error_code error, std::size_t) {
                        if (error) {
                          self->writes_.clear();
                          self->close_reason_.reset();
                          return;
                        }
                        self->writes_.pop_front();
                        self->write_next();
                      });
}

void WebchatSession::close_after_writes(const websocket::close_reason& reason) {
  asio::post(socket_.get_executor(), [self = shared_from_this(), reason] {
    if (self->closing_) return;
    self->closing_ = true;
    self->close_reason_ = reason;
    if (self->writes_.empty()) self->write_next();
  });
}

void WebchatSession::close_going_away() {
  close_after_writes(websocket::close_reason(websocket::close_code::going_away));
}

}  // namespace buurtlijn::gateway
