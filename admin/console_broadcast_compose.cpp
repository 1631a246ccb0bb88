// The console's Broadcasts pages, composing (see broadcasts.hpp): a template or a
// dialog node's answer, its parameters and the segment; the preview with the texts per
// language and the recipients counted by the store before sending; send now or
// schedule (a time in Europe/Amsterdam, stored in UTC). Sends and schedules are
// written to the audit log by the store, in the transaction that stores them.
#include <algorithm>
#include <map>

#include "admin/console_broadcast_parts.hpp"

namespace buurtlijn::admin {

using namespace console_parts;
using namespace broadcast_parts;

namespace {

constexpr std::string_view kChannels[] = {"whatsapp", "telegram", "kannel"};

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

}  // namespace buurtlijn::admin
