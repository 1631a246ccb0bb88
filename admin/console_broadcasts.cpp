// The console's Broadcasts pages (see broadcasts.hpp): the list, composing (a template
// or a dialog node's answer, its parameters, the segment), the preview with the texts
// per language and the recipients counted before sending, send now or schedule, the
// broadcast's page with live progress (admin/assets/broadcast.js polls api/broadcast
// until nothing is left to send) and cancelling a scheduled one. Every send, schedule
// and cancel is written to the audit log with the change (by the store).
#include <algorithm>
#include <boost/json.hpp>
#include <map>

#include "admin/console_parts.hpp"

namespace buurtlijn::admin {

using namespace console_parts;

namespace {

constexpr std::string_view kChannels[] = {"whatsapp", "telegram", "kannel"};

std::string channel_label(const Console::Visit& visit, std::string_view channel) {
  return visit.t("broadcast.channel." + std::string(channel));
}

std::string language_name(const dialogs::Content& content, std::string_view code) {
  const dialogs::LanguageInfo* info = content.language(code);
  return info == nullptr ? std::string(code) : info->native_name + " (" + std::string(code) + ")";
}

std::string source_label(const Console::Visit& visit, const std::string& source,
                         const std::string& key) {
  return visit.t(source == "node" ? "broadcast.source.node" : "broadcast.source.template",
                 {{"key", key}});
}

std::string segment_text(const Console::Visit& visit, const store::NotificationTarget& segment) {
  std::string text;
  const auto add = [&](std::string_view label_key, const std::string& value) {
    if (value.empty()) return;
    if (!text.empty()) text += ", ";
    text += visit.t(label_key) + ": " + value;
  };
  add("broadcast.field.language", segment.language);
  add("broadcast.field.area", segment.area);
  add("broadcast.field.channel",
      segment.channel.empty() ? "" : channel_label(visit, segment.channel));
  add("broadcast.field.topic", segment.topic);
  return text;
}

// Hidden fields carrying a draft from the preview to the send.
Html draft_fields(const BroadcastDraft& draft) {
  Html fields = fill(R"(<input type="hidden" name="source" value="{{v}}">)",
                     {{"v", draft.source + ":" + draft.key}});
  for (const auto& [name, value] : draft.params) {
    fields += fill(R"(<input type="hidden" name="param.{{n}}" value="{{v}}">)",
                   {{"n", name}, {"v", value}});
  }
  const std::pair<std::string_view, const std::string*> segment[] = {
      {"language", &draft.segment.language},
      {"area", &draft.segment.area},
      {"channel", &draft.segment.channel},
      {"topic", &draft.segment.topic}};
  for (const auto& [name, value] : segment) {
    fields += fill(R"(<input type="hidden" name="{{n}}" value="{{v}}">)",
                   {{"n", std::string(name)}, {"v", *value}});
  }
  return fields;
}

Html option(const std::string& value, const std::string& label, bool selected) {
  return fill(selected ? R"(<option value="{{v}}" selected>{{l}}</option>)"
                       : R"(<option value="{{v}}">{{l}}</option>)",
              {{"v", value}, {"l", label}});
}

// The arguments the chosen source needs.
std::vector<std::string> arguments_of(const BroadcastDraft& draft,
                                      const dialogs::NotificationCatalog* catalog,
                                      const dialogs::Content& content) {
  if (draft.source == "template" && catalog != nullptr) {
    const std::vector<std::string>* arguments = catalog->template_arguments(draft.key);
    if (arguments != nullptr) return *arguments;
  }
  if (draft.source == "node") {
    const dialogs::Node* node = content.node(draft.key);
    if (node != nullptr) return node->arguments;
  }
  return {};
}

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

namespace {

// The compose page: a GET form choosing the source, then (once chosen) the POST form
// with its parameters and the segment. `error` is shown above.
Html compose_body(const Console::Visit& visit, BroadcastHost& host, const dialogs::Content& content,
                  const BroadcastDraft& draft, const std::string& error) {
  const auto catalog = host.catalog();
  Html templates;
  if (catalog) {
    for (const std::string& key : catalog->template_keys()) {
      templates += option("template:" + key, key, draft.source == "template" && draft.key == key);
    }
  }
  Html nodes;
  for (const dialogs::Node& node : content.nodes()) {
    if (node.kind == dialogs::NodeKind::menu || node.parent.empty()) continue;
    const auto label = content.lookup(dialogs::node_label_key(node.id), visit.language);
    nodes += option("node:" + node.id,
                    (label ? std::string(label->pattern) : node.id) + " (" + node.id + ")",
                    draft.source == "node" && draft.key == node.id);
  }
  Html body = notice_box(error, true);
  body += fill(
      R"html(<form method="get" action="/admin/broadcast-new" class="filters" id="choose-source">
<p><label for="source">{{label}}</label><select id="source" name="source" required>
<option value="">{{choose}}</option>
<optgroup label="{{templates_label}}">{{templates}}</optgroup>
<optgroup label="{{nodes_label}}">{{nodes}}</optgroup></select></p>
<p><button type="submit" id="choose">{{submit}}</button></p>
</form>
<p class="hint">{{hint}}</p>)html",
      {{"label", visit.t("broadcast.field.source")},
       {"choose", visit.t("broadcast.choose")},
       {"templates_label", visit.t("broadcast.templates")},
       {"templates", templates},
       {"nodes_label", visit.t("broadcast.nodes")},
       {"nodes", nodes},
       {"submit", visit.t("broadcast.choose_submit")},
       {"hint", visit.t("broadcast.source_hint")}});
  if (draft.source.empty()) return body;

  Html parameters;
  for (const std::string& name : arguments_of(draft, catalog.get(), content)) {
    const auto value = draft.params.find(name);
    parameters += fill(
        R"(<p><label for="param-{{n}}">{{label}}</label><input id="param-{{n}}" name="param.{{n}}" value="{{v}}" required></p>)",
        {{"n", name},
         {"label", visit.t("broadcast.field.parameter", {{"name", name}})},
         {"v", value == draft.params.end() ? std::string() : value->second}});
  }
  if (parameters.empty()) {
    parameters = fill("<p>{{t}}</p>", {{"t", visit.t("broadcast.no_parameters")}});
  }
  Html languages = option("", visit.t("broadcast.any"), draft.segment.language.empty());
  for (const dialogs::LanguageInfo& language : content.languages()) {
    languages += option(language.code, language.native_name + " (" + language.code + ")",
                        draft.segment.language == language.code);
  }
  Html channels = option("", visit.t("broadcast.any"), draft.segment.channel.empty());
  for (const std::string_view channel : kChannels) {
    channels += option(std::string(channel), channel_label(visit, channel),
                       draft.segment.channel == channel ||
                           (channel == "kannel" && draft.segment.channel == "sms"));
  }
  // The area map's wijk and buurt names, and any other area subscribers have.
  std::vector<std::string> area_names = host.area_names();
  if (auto known = host.store().subscriber_areas()) {
    for (const std::string& area : *known) {
      if (std::find(area_names.begin(), area_names.end(), area) == area_names.end()) {
        area_names.push_back(area);
      }
    }
  }
  Html areas;
  for (const std::string& area : area_names) areas += option(area, area, false);
  Html topics = option("", visit.t("broadcast.any"), draft.segment.topic.empty());
  if (auto known = host.store().subscriber_topics()) {
    for (const std::string& topic : *known) {
      topics += option(topic, topic, draft.segment.topic == topic);
    }
  }
  body += fill(
      R"html(<form method="post" action="/admin/broadcast-preview" class="compose">{{csrf}}
<input type="hidden" name="source" value="{{source}}">
<h2>{{what}}: {{source_label}}</h2>
<fieldset><legend>{{parameters_legend}}</legend>{{parameters}}</fieldset>
<fieldset><legend>{{segment_legend}}</legend>
<p class="hint">{{segment_hint}}</p>
<p><label for="language">{{language_label}}</label><select id="language" name="language">{{languages}}</select></p>
<p><label for="area">{{area_label}}</label><input id="area" name="area" list="areas" value="{{area}}"><datalist id="areas">{{areas}}</datalist></p>
<p><label for="channel">{{channel_label}}</label><select id="channel" name="channel">{{channels}}</select></p>
<p><label for="topic">{{topic_label}}</label><select id="topic" name="topic">{{topics}}</select></p>
</fieldset>
<p><button type="submit" id="preview">{{submit}}</button></p>
</form>)html",
      {{"csrf", csrf_field(visit)},
       {"source", draft.source + ":" + draft.key},
       {"what", visit.t("broadcast.field.source")},
       {"source_label", source_label(visit, draft.source, draft.key)},
       {"parameters_legend", visit.t("broadcast.parameters")},
       {"parameters", parameters},
       {"segment_legend", visit.t("broadcast.segment")},
       {"segment_hint", visit.t("broadcast.segment_hint")},
       {"language_label", visit.t("broadcast.field.language")},
       {"languages", languages},
       {"area_label", visit.t("broadcast.field.area")},
       {"area", draft.segment.area},
       {"areas", areas},
       {"channel_label", visit.t("broadcast.field.channel")},
       {"channels", channels},
       {"topic_label", visit.t("broadcast.field.topic")},
       {"topics", topics},
       {"submit", visit.t("broadcast.preview_submit")}});
  return body;
}

std::string problem_text(const Console::Visit& visit, const BroadcastProblem& problem) {
  return visit.t("broadcast.error." + problem.code);
}

}  // namespace

ConsoleResponse Console::broadcast_compose(Visit& visit) {
  BroadcastHost* host = host_.broadcasts();
  if (host == nullptr) return refuse(visit, 503, "broadcast.unavailable");
  const BroadcastDraft draft = draft_from_form(visit.query);
  return page(visit, visit.t("broadcast.compose_title"),
              compose_body(visit, *host, *host_.content(), draft, ""), "broadcasts");
}

ConsoleResponse Console::broadcast_preview(Visit& visit) {
  BroadcastHost* host = host_.broadcasts();
  if (host == nullptr) return refuse(visit, 503, "broadcast.unavailable");
  BroadcastDraft draft = draft_from_form(visit.form);
  auto preview = host->preview(draft, visit.now);
  const auto content = host_.content();
  if (!preview) {
    return page(visit, visit.t("broadcast.compose_title"),
                compose_body(visit, *host, *content, draft, problem_text(visit, preview.error())),
                "broadcasts", 422);
  }
  Html texts;
  for (const BroadcastPreview::Text& text : preview->texts) {
    texts += fill(
        R"(<div class="card"><h3>{{language}}</h3>{{fallback}}<p class="preview" lang="{{lang}}" dir="{{dir}}">{{text}}</p></div>)",
        {{"language", language_name(*content, text.language)},
         {"fallback",
          text.shown_language == text.language
              ? Html()
              : fill(R"(<p class="source">{{t}}</p>)",
                     {{"t", visit.t("broadcast.fallback", {{"language", text.shown_language}})}})},
         {"lang", text.shown_language},
         {"dir", text.right_to_left ? "rtl" : "ltr"},
         {"text", text.text}});
  }
  Html channel_rows;
  for (const BroadcastPreview::Channel& channel : preview->channels) {
    channel_rows += fill(
        R"(<tr data-channel="{{c}}"><th scope="row">{{label}}</th><td>{{direct}}</td><td>{{template}}</td><td>{{skipped}}</td></tr>)",
        {{"c", channel.channel},
         {"label", channel_label(visit, channel.channel)},
         {"direct", std::to_string(channel.direct)},
         {"template", std::to_string(channel.whatsapp_template)},
         {"skipped", std::to_string(channel.skipped)}});
  }
  Html language_rows;
  for (const auto& [language, n] : preview->languages) {
    language_rows +=
        fill(R"(<tr data-language="{{code}}"><th scope="row">{{label}}</th><td>{{n}}</td></tr>)",
             {{"code", language},
              {"label", language_name(*content, language)},
              {"n", std::to_string(n)}});
  }
  const Html body = fill(
      R"html(<p id="recipient-count" role="status">{{count}}</p>
<h2>{{texts_title}}</h2>
<div class="cards">{{texts}}</div>
<div class="scroll"><table id="preview-channels"><caption>{{channels_caption}}</caption>
<thead><tr><th scope="col">{{channel}}</th><th scope="col">{{direct}}</th><th scope="col">{{template}}</th><th scope="col">{{skipped}}</th></tr></thead>
<tbody>{{channel_rows}}</tbody></table></div>
<div class="scroll"><table id="preview-languages"><caption>{{languages_caption}}</caption>
<thead><tr><th scope="col">{{language}}</th><th scope="col">{{recipients}}</th></tr></thead>
<tbody>{{language_rows}}</tbody></table></div>
<form method="post" action="/admin/broadcast-send" class="step">{{csrf}}{{fields}}
<h2>{{send_title}}</h2>
<p><button type="submit" name="when" value="now" id="send-now">{{send_now}}</button></p>
<p><label for="due">{{due_label}}</label><input id="due" name="due" type="datetime-local" min="{{min}}"></p>
<p><button type="submit" name="when" value="schedule" id="schedule">{{schedule}}</button></p>
</form>
<form method="get" action="/admin/broadcast-new">{{back_fields}}<p><button type="submit" id="change">{{change}}</button></p></form>)html",
      {{"count", visit.t("broadcast.preview_count",
                         {{"recipients", preview->recipients}, {"skipped", preview->skipped}})},
       {"texts_title", visit.t("broadcast.texts_title")},
       {"texts", texts},
       {"channels_caption", visit.t("broadcast.channels_caption")},
       {"channel", visit.t("broadcast.field.channel")},
       {"direct", visit.t("broadcast.count.direct")},
       {"template", visit.t("broadcast.count.template")},
       {"skipped", visit.t("broadcast.count.skipped")},
       {"channel_rows", channel_rows},
       {"languages_caption", visit.t("broadcast.languages_caption")},
       {"language", visit.t("broadcast.field.language")},
       {"recipients", visit.t("broadcasts.recipients")},
       {"language_rows", language_rows},
       {"csrf", csrf_field(visit)},
       {"fields", draft_fields(draft)},
       {"send_title", visit.t("broadcast.send_title")},
       {"send_now", visit.t("broadcast.send_now", {{"recipients", preview->recipients}})},
       {"due_label", visit.t("broadcast.field.due")},
       {"min", amsterdam_input_value(visit.now)},
       {"schedule", visit.t("broadcast.schedule")},
       {"back_fields", draft_fields(draft)},
       {"change", visit.t("broadcast.change")}});
  return page(visit, visit.t("broadcast.preview_title"), body, "broadcasts");
}

ConsoleResponse Console::broadcast_send(Visit& visit) {
  BroadcastHost* host = host_.broadcasts();
  if (host == nullptr) return refuse(visit, 503, "broadcast.unavailable");
  BroadcastDraft draft = draft_from_form(visit.form);
  const std::string when = visit.param("when");
  const auto content = host_.content();
  if (when == "schedule") {
    const auto due = amsterdam_to_utc(visit.param("due"));
    std::string error;
    if (!due) {
      error = visit.t("broadcast.error.bad_time");
    } else if (*due <= visit.now) {
      error = visit.t("broadcast.error.past_time");
    }
    auto checked = host->preview(draft, visit.now);
    if (!checked) error = problem_text(visit, checked.error());
    if (!error.empty()) {
      return page(visit, visit.t("broadcast.compose_title"),
                  compose_body(visit, *host, *content, draft, error), "broadcasts", 422);
    }
    store::BroadcastRecord record;
    record.source = draft.source;
    record.source_key = draft.key;
    record.params_json = params_to_json(draft.params);
    record.segment = draft.segment;
    record.due_at = *due;
    record.created_by = visit.user->name;
    auto id = host->store().schedule(record, visit.actor(), visit.now);
    if (!id) return refuse(visit, 503, "error.store");
    return redirect("/admin/broadcast?id=" + std::to_string(*id) + "&scheduled=1");
  }
  if (when != "now") return refuse(visit, 400, "error.bad_request");
  auto sent = host->send(draft, 0, visit.actor(), visit.now);
  if (!sent) {
    return page(visit, visit.t("broadcast.compose_title"),
                compose_body(visit, *host, *content, draft, problem_text(visit, sent.error())),
                "broadcasts", sent.error().code == "unavailable" ? 503 : 422);
  }
  return redirect("/admin/broadcast?id=" + std::to_string(sent->broadcast_id) + "&sent=1");
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
