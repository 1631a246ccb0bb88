// See broadcasts.hpp.
#include "gateway/broadcasts.hpp"

#include <algorithm>
#include <set>

#include "gateway/app.hpp"
#include "gateway/case_runtime.hpp"
#include "gateway/log.hpp"
#include "gateway/notification_api.hpp"

namespace buurtlijn::gateway {

namespace {

admin::BroadcastProblem to_problem(const RequestProblem& problem) {
  return admin::BroadcastProblem{problem.error, problem.message};
}

store::Millis system_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

tl::expected<NotificationRequest, RequestProblem> request_from_draft(
    admin::BroadcastDraft& draft, const dialogs::NotificationCatalog& catalog,
    const dialogs::Content& content) {
  NotificationRequest request;
  std::vector<std::string> arguments;
  if (draft.source == "template") {
    const std::vector<std::string>* needed = catalog.template_arguments(draft.key);
    if (needed == nullptr) {
      return tl::unexpected(
          RequestProblem{400, "unknown_template", "unknown template \"" + draft.key + "\""});
    }
    arguments = *needed;
    request.template_key = draft.key;
  } else if (draft.source == "node") {
    const dialogs::Node* node = content.node(draft.key);
    if (node == nullptr || node->kind == dialogs::NodeKind::menu) {
      return tl::unexpected(
          RequestProblem{400, "unknown_node", "unknown answer node \"" + draft.key + "\""});
    }
    arguments = node->arguments;
    request.node_id = draft.key;
    request.template_key = "node:" + draft.key;
  } else {
    return tl::unexpected(
        RequestProblem{400, "missing_source", "choose a template or a dialog node"});
  }
  for (const auto& [name, value] : draft.params) {
    if (std::find(arguments.begin(), arguments.end(), name) == arguments.end()) {
      return tl::unexpected(
          RequestProblem{400, "unknown_parameter", "no parameter \"" + name + "\""});
    }
  }
  for (const std::string& name : arguments) {
    const auto found = draft.params.find(name);
    if (found == draft.params.end() || found->second.empty()) {
      return tl::unexpected(
          RequestProblem{400, "missing_parameter", "the parameter \"" + name + "\" is empty"});
    }
    request.params[name] = found->second;
  }
  draft.segment.subject_pseudonym.clear();
  if (auto refused = check_segment(draft.segment, catalog)) return tl::unexpected(*refused);
  request.target = draft.segment;
  request.target_json = segment_json(request.target);
  return request;
}

std::unique_ptr<ServerBroadcasts> ServerBroadcasts::create(App& app) {
  auto store = store::broadcast_store_for(*app.store);
  if (!store) {
    log::error("broadcasts.store_failed", {{"reason", store.error().message}});
    return nullptr;
  }
  return std::unique_ptr<ServerBroadcasts>(new ServerBroadcasts(app, std::move(*store)));
}

std::shared_ptr<const dialogs::NotificationCatalog> ServerBroadcasts::catalog() const {
  return app_.notifications;
}

tl::expected<admin::BroadcastPreview, admin::BroadcastProblem> ServerBroadcasts::preview(
    admin::BroadcastDraft& draft, admin::Millis now) {
  if (!app_.notifications) return tl::unexpected(admin::BroadcastProblem{"unavailable", ""});
  const auto content = app_.content.current();
  auto request = request_from_draft(draft, *app_.notifications, *content);
  if (!request) return tl::unexpected(to_problem(request.error()));
  auto groups = store_->count_recipients(request->target, now - kWhatsappWindow);
  if (!groups) {
    log::warn("broadcasts.count_failed", {{"reason", groups.error().message}});
    return tl::unexpected(admin::BroadcastProblem{"unavailable", groups.error().message});
  }
  const NotificationPreview counts =
      preview_counts(*groups, whatsapp_template_for(*request, app_.config) != nullptr);
  const std::int64_t everybody = counts.recipients + counts.skipped;
  if (everybody == 0) return tl::unexpected(admin::BroadcastProblem{"no_recipients", ""});
  if (static_cast<std::size_t>(everybody) > app_.config.notifications.max_recipients) {
    return tl::unexpected(admin::BroadcastProblem{"too_many_recipients", ""});
  }
  admin::BroadcastPreview preview;
  for (const NotificationPreview::Channel& channel : counts.channels) {
    preview.channels.push_back(admin::BroadcastPreview::Channel{
        channel.channel, channel.direct, channel.whatsapp_template, channel.skipped});
  }
  preview.languages = counts.languages;
  preview.recipients = counts.recipients;
  preview.skipped = counts.skipped;
  // The text as each language reached (and the one asked for) will get it.
  std::set<std::string> languages;
  for (const auto& [language, n] : counts.languages) languages.insert(language);
  if (!request->target.language.empty()) languages.insert(request->target.language);
  for (const std::string& language : languages) {
    auto text = render_notification_text(*request, language.empty() ? "nl" : language, "",
                                         *app_.notifications, content.get());
    if (!text) return tl::unexpected(to_problem(text.error()));
    preview.texts.push_back(admin::BroadcastPreview::Text{
        language.empty() ? "nl" : language, text->language, text->text,
        app_.notifications->right_to_left(text->language)});
  }
  return preview;
}

tl::expected<store::BroadcastQueued, admin::BroadcastProblem> ServerBroadcasts::send(
    const admin::BroadcastDraft& draft_in, std::int64_t scheduled_id, const store::Actor& actor,
    admin::Millis now) {
  if (!app_.notifications) return tl::unexpected(admin::BroadcastProblem{"unavailable", ""});
  admin::BroadcastDraft draft = draft_in;
  const auto content = app_.content.current();
  auto request = request_from_draft(draft, *app_.notifications, *content);
  if (!request) return tl::unexpected(to_problem(request.error()));
  auto built = prepare_notification(app_, *request, now);
  if (!built) return tl::unexpected(to_problem(built.error()));
  store::BroadcastRecord record;
  record.id = scheduled_id;
  record.source = draft.source;
  record.source_key = draft.key;
  record.segment = draft.segment;
  record.due_at = now;
  record.created_by = actor.name;
  auto queued = store_->queue(built->batch, record, actor, now);
  if (!queued) {
    if (queued.error().code == store::Error::Code::invalid) {
      return tl::unexpected(admin::BroadcastProblem{"not_scheduled", queued.error().message});
    }
    log::warn("broadcasts.queue_failed", {{"reason", queued.error().message}});
    return tl::unexpected(admin::BroadcastProblem{"unavailable", queued.error().message});
  }
  log::info("broadcasts.queued", {{"broadcast", queued->broadcast_id},
                                  {"notification", queued->notification_id},
                                  {"template", request->template_key},
                                  {"recipients", queued->recipients},
                                  {"skipped", static_cast<std::int64_t>(built->skipped)}});
  if (app_.wake_outbox) app_.wake_outbox();
  return *queued;
}

std::vector<std::string> ServerBroadcasts::area_names() const {
  return app_.cases ? app_.cases->areas.names() : std::vector<std::string>{};
}

store::Result<std::optional<store::NotificationCounts>> ServerBroadcasts::counts(
    std::int64_t notification_id) {
  return app_.store->notification_counts(notification_id);
}

std::size_t ServerBroadcasts::queue_due(admin::Millis now) {
  auto due = store_->due(now);
  if (!due) {
    log::warn("broadcasts.due_unreadable", {{"reason", due.error().message}});
    return 0;
  }
  const store::Actor scheduler{0, "scheduler"};
  std::size_t queued = 0;
  for (const store::BroadcastRecord& record : *due) {
    auto sent = send(admin::draft_from_record(record), record.id, scheduler, now);
    if (sent) {
      ++queued;
      continue;
    }
    const admin::BroadcastProblem& problem = sent.error();
    if (problem.code == "unavailable") continue;    // the store: try again at the next run
    if (problem.code == "not_scheduled") continue;  // cancelled meanwhile
    log::warn("broadcasts.scheduled_failed", {{"broadcast", record.id}, {"reason", problem.code}});
    const std::string reason =
        problem.detail.empty() ? problem.code : problem.code + ": " + problem.detail;
    if (auto failed = store_->mark_failed(record.id, reason, scheduler, now); !failed) {
      log::warn("broadcasts.mark_failed_failed", {{"reason", failed.error().message}});
    }
  }
  return queued;
}

void BroadcastScheduler::start() {
  thread_ = std::thread([this] { run(); });
}

void BroadcastScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BroadcastScheduler::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    lock.unlock();
    broadcasts_.queue_due(system_now());
    lock.lock();
  }
}

}  // namespace buurtlijn::gateway
