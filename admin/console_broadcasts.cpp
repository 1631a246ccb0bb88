// The console's Broadcasts pages, the list and one broadcast (see broadcasts.hpp): the
// broadcast's facts, cancelling a scheduled one, and its progress per channel with the
// failure reasons grouped, drawn again live by admin/assets/broadcast.js, which polls
// api/broadcast until nothing is left to send. Composing is in
// console_broadcast_compose.cpp. Cancels are written to the audit log by the store.
#include <boost/json.hpp>

#include "admin/console_broadcast_parts.hpp"

namespace buurtlijn::admin {

using namespace console_parts;
using namespace broadcast_parts;

namespace {

struct Progress {
  std::string state;
  bool done = false;
  std::int64_t recipients = 0;
  struct Row {
    std::string channel;
    std::int64_t queued = 0;  // queued or in flight
    std::int64_t sent = 0;    // sent, delivered or read
    std::int64_t delivered = 0;
    std::int64_t read = 0;
    std::int64_t failed = 0;  // failed or dead
    std::int64_t total = 0;
  };
  std::vector<Row> rows;
  Row totals;
  std::vector<store::FailureGroup> failures;
};

void add_state(Progress::Row& row, const std::string& status, std::int64_t n) {
  row.total += n;
  if (status == "queued" || status == "inflight") row.queued += n;
  if (status == "sent" || status == "delivered" || status == "read") row.sent += n;
  if (status == "delivered" || status == "read") row.delivered += n;
  if (status == "read") row.read += n;
  if (status == "failed" || status == "dead") row.failed += n;
}

tl::expected<Progress, std::string> progress_of(BroadcastHost& host,
                                                const store::BroadcastRecord& record) {
  Progress progress;
  progress.state = record.state;
  progress.recipients = record.recipients;
  progress.totals.channel = "all";
  if (record.notification_id > 0) {
    auto counts = host.counts(record.notification_id);
    if (!counts) return tl::unexpected(counts.error().message);
    if (*counts) {
      for (const auto& [channel, states] : (*counts)->by_channel) {
        Progress::Row row;
        row.channel = channel;
        for (const auto& [status, n] : states) {
          add_state(row, status, n);
          add_state(progress.totals, status, n);
        }
        progress.rows.push_back(row);
      }
    }
    auto failures = host.store().failures(record.notification_id);
    if (!failures) return tl::unexpected(failures.error().message);
    progress.failures = std::move(*failures);
  }
  progress.done = record.state == "cancelled" || record.state == "failed" ||
                  (record.state == "queued" && progress.totals.queued == 0);
  return progress;
}

std::string progress_json(const Console::Visit& visit, const Progress& progress) {
  namespace json = boost::json;
  const auto row_json = [&visit](const Progress::Row& row) {
    return json::object{{"channel", row.channel},
                        {"label", row.channel == "all" ? visit.t("broadcast.progress.total")
                                                       : channel_label(visit, row.channel)},
                        {"queued", row.queued},
                        {"sent", row.sent},
                        {"delivered", row.delivered},
                        {"read", row.read},
                        {"failed", row.failed},
                        {"total", row.total}};
  };
  json::array rows;
  for (const Progress::Row& row : progress.rows) rows.push_back(row_json(row));
  json::array failures;
  for (const store::FailureGroup& failure : progress.failures) {
    failures.push_back(
        json::object{{"channel", channel_label(visit, failure.channel)},
                     {"reason", failure.reason.empty() ? visit.t("broadcast.progress.no_reason")
                                                       : failure.reason},
                     {"items", failure.items}});
  }
  return json::serialize(json::object{
      {"state", progress.state},
      {"state_label", visit.t("broadcast.state." + progress.state)},
      {"done", progress.done},
      {"recipients", progress.recipients},
      {"summary", visit.t(progress.done ? "broadcast.progress.done" : "broadcast.progress.busy",
                          {{"sent", progress.totals.sent},
                           {"failed", progress.totals.failed},
                           {"queued", progress.totals.queued},
                           {"total", progress.totals.total}})},
      {"rows", std::move(rows)},
      {"totals", row_json(progress.totals)},
      {"failures", std::move(failures)}});
}

Html progress_rows(const Console::Visit& visit, const Progress& progress) {
  Html rows;
  const auto add = [&](const Progress::Row& row, bool total) {
    rows += fill(
        total
            ? R"(<tr class="total" data-channel="{{c}}"><th scope="row">{{label}}</th><td data-state="queued">{{q}}</td><td data-state="sent">{{s}}</td><td data-state="delivered">{{d}}</td><td data-state="read">{{r}}</td><td data-state="failed">{{f}}</td><td data-state="total">{{t}}</td></tr>)"
            : R"(<tr data-channel="{{c}}"><th scope="row">{{label}}</th><td data-state="queued">{{q}}</td><td data-state="sent">{{s}}</td><td data-state="delivered">{{d}}</td><td data-state="read">{{r}}</td><td data-state="failed">{{f}}</td><td data-state="total">{{t}}</td></tr>)",
        {{"c", row.channel},
         {"label", total ? visit.t("broadcast.progress.total") : channel_label(visit, row.channel)},
         {"q", std::to_string(row.queued)},
         {"s", std::to_string(row.sent)},
         {"d", std::to_string(row.delivered)},
         {"r", std::to_string(row.read)},
         {"f", std::to_string(row.failed)},
         {"t", std::to_string(row.total)}});
  };
  for (const Progress::Row& row : progress.rows) add(row, false);
  add(progress.totals, true);
  return rows;
}

}  // namespace

ConsoleResponse Console::broadcasts_list(Visit& visit) {
  BroadcastHost* host = host_.broadcasts();
  if (host == nullptr) return refuse(visit, 503, "broadcast.unavailable");
  auto records = host->store().recent(200);
  if (!records) return refuse(visit, 503, "error.store");
  Html rows;
  for (const store::BroadcastRecord& record : *records) {
    rows += fill(
        R"(<tr><td><a href="/admin/broadcast?id={{id}}">{{id}}</a></td><td>{{when}}</td><td>{{source}}</td><td>{{segment}}</td><td>{{state}}</td><td>{{recipients}}</td><td>{{by}}</td></tr>)",
        {{"id", std::to_string(record.id)},
         {"when", format_amsterdam(record.due_at)},
         {"source", source_label(visit, record.source, record.source_key)},
         {"segment", segment_text(visit, record.segment)},
         {"state", visit.t("broadcast.state." + record.state)},
         {"recipients", record.state == "queued" ? std::to_string(record.recipients) : "–"},
         {"by", record.created_by}});
  }
  const Html body = fill(
      R"html(<p>{{intro}}</p>
<p><a class="button" href="/admin/broadcast-new" id="new-broadcast">{{new}}</a></p>
<div class="scroll"><table><caption>{{caption}}</caption>
<thead><tr><th scope="col">#</th><th scope="col">{{when}}</th><th scope="col">{{what}}</th><th scope="col">{{segment}}</th><th scope="col">{{state}}</th><th scope="col">{{recipients}}</th><th scope="col">{{by}}</th></tr></thead>
<tbody>{{rows}}</tbody></table></div>)html",
      {{"intro", visit.t("broadcasts.intro")},
       {"new", visit.t("broadcasts.new")},
       {"caption", visit.t("broadcasts.caption")},
       {"when", visit.t("broadcasts.when")},
       {"what", visit.t("broadcasts.what")},
       {"segment", visit.t("broadcasts.segment")},
       {"state", visit.t("broadcasts.state")},
       {"recipients", visit.t("broadcasts.recipients")},
       {"by", visit.t("broadcasts.by")},
       {"rows", rows}});
  return page(visit, visit.t("broadcasts.title"), body, "broadcasts");
}

ConsoleResponse Console::broadcast_page(Visit& visit) {
  BroadcastHost* host = host_.broadcasts();
  if (host == nullptr) return refuse(visit, 503, "broadcast.unavailable");
  const std::int64_t id = to_id(visit.param("id"));
  auto record = host->store().find(id);
  if (!record) return refuse(visit, 503, "error.store");
  if (!*record) return refuse(visit, 404, "error.not_found");
  auto progress = progress_of(*host, **record);
  if (!progress) return refuse(visit, 503, "error.store");
  std::string notice;
  if (!visit.param("sent").empty()) notice = visit.t("broadcast.sent_notice");
  if (!visit.param("scheduled").empty()) notice = visit.t("broadcast.scheduled_notice");
  if (!visit.param("cancelled").empty()) notice = visit.t("broadcast.cancelled_notice");
  Html cancel;
  if ((*record)->state == "scheduled") {
    cancel = fill(
        R"(<form method="post" action="/admin/broadcast-cancel" class="step">{{csrf}}<input type="hidden" name="id" value="{{id}}"><button type="submit" id="cancel">{{t}}</button></form>)",
        {{"csrf", csrf_field(visit)},
         {"id", std::to_string(id)},
         {"t", visit.t("broadcast.cancel")}});
  }
  Html failures;
  for (const store::FailureGroup& failure : progress->failures) {
    failures += fill("<li>{{channel}}: {{reason}} ({{n}})</li>",
                     {{"channel", channel_label(visit, failure.channel)},
                      {"reason", failure.reason.empty() ? visit.t("broadcast.progress.no_reason")
                                                        : failure.reason},
                      {"n", std::to_string(failure.items)}});
  }
  const store::BroadcastRecord& r = **record;
  const Html body = fill(
      R"html({{notice}}
<dl class="facts">
<dt>{{what_label}}</dt><dd>{{what}}</dd>
<dt>{{segment_label}}</dt><dd>{{segment}}</dd>
<dt>{{state_label}}</dt><dd id="broadcast-state">{{state}}</dd>
<dt>{{when_label}}</dt><dd>{{when}}</dd>
<dt>{{by_label}}</dt><dd>{{by}}</dd>
{{reason}}
</dl>
{{cancel}}
<h2>{{progress_title}}</h2>
<p class="hint">{{progress_hint}}</p>
<p id="progress-summary" role="status" aria-live="polite">{{summary}}</p>
<div class="scroll"><table id="progress" data-id="{{id}}" data-done="{{done}}"><caption>{{caption}}</caption>
<thead><tr><th scope="col">{{channel}}</th><th scope="col">{{queued}}</th><th scope="col">{{sent}}</th><th scope="col">{{delivered}}</th><th scope="col">{{read}}</th><th scope="col">{{failed}}</th><th scope="col">{{total}}</th></tr></thead>
<tbody>{{rows}}</tbody></table></div>
<h3>{{failures_title}}</h3>
<ul id="failures">{{failures}}</ul>
<p><a href="/admin/broadcasts">{{back}}</a></p>
<script src="/admin/static/broadcast.js" defer></script>)html",
      {{"notice", notice_box(notice, false)},
       {"what_label", visit.t("broadcasts.what")},
       {"what", source_label(visit, r.source, r.source_key)},
       {"segment_label", visit.t("broadcasts.segment")},
       {"segment", segment_text(visit, r.segment)},
       {"state_label", visit.t("broadcasts.state")},
       {"state", visit.t("broadcast.state." + r.state)},
       {"when_label", visit.t(r.state == "scheduled" ? "broadcast.due" : "broadcasts.when")},
       {"when", format_amsterdam(r.due_at) + " (Europe/Amsterdam)"},
       {"by_label", visit.t("broadcasts.by")},
       {"by", r.created_by},
       {"reason", r.reason.empty() ? Html()
                                   : fill("<dt>{{l}}</dt><dd>{{r}}</dd>",
                                          {{"l", visit.t("broadcast.reason")}, {"r", r.reason}})},
       {"cancel", cancel},
       {"progress_title", visit.t("broadcast.progress.title")},
       {"progress_hint", visit.t("broadcast.progress.hint")},
       {"summary", visit.t(progress->done ? "broadcast.progress.done" : "broadcast.progress.busy",
                           {{"sent", progress->totals.sent},
                            {"failed", progress->totals.failed},
                            {"queued", progress->totals.queued},
                            {"total", progress->totals.total}})},
       {"id", std::to_string(id)},
       {"done", progress->done ? "true" : "false"},
       {"caption", visit.t("broadcast.progress.caption")},
       {"channel", visit.t("broadcast.field.channel")},
       {"queued", visit.t("broadcast.progress.queued")},
       {"sent", visit.t("broadcast.progress.sent")},
       {"delivered", visit.t("broadcast.progress.delivered")},
       {"read", visit.t("broadcast.progress.read")},
       {"failed", visit.t("broadcast.progress.failed")},
       {"total", visit.t("broadcast.progress.total")},
       {"rows", progress_rows(visit, *progress)},
       {"failures_title", visit.t("broadcast.progress.failures")},
       {"failures", failures},
       {"back", visit.t("broadcast.back")}});
  return page(visit, visit.t("broadcast.title", {{"id", id}}), body, "broadcasts");
}

ConsoleResponse Console::broadcast_cancel(Visit& visit) {
  BroadcastHost* host = host_.broadcasts();
  if (host == nullptr) return refuse(visit, 503, "broadcast.unavailable");
  const std::int64_t id = to_id(visit.param("id"));
  auto cancelled = host->store().cancel(id, visit.actor(), visit.now);
  if (!cancelled) return refuse(visit, 503, "error.store");
  if (!*cancelled) return refuse(visit, 409, "broadcast.error.not_scheduled");
  return redirect("/admin/broadcast?id=" + std::to_string(id) + "&cancelled=1");
}

ConsoleResponse Console::broadcast_json(Visit& visit) {
  BroadcastHost* host = host_.broadcasts();
  if (host == nullptr) return refuse(visit, 503, "broadcast.unavailable");
  auto record = host->store().find(to_id(visit.param("id")));
  if (!record) return refuse(visit, 503, "error.store");
  if (!*record) return refuse(visit, 404, "error.not_found");
  auto progress = progress_of(*host, **record);
  if (!progress) return refuse(visit, 503, "error.store");
  return json(200, progress_json(visit, *progress));
}

}  // namespace buurtlijn::admin
