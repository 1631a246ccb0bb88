// The inbox (see console.hpp): conversations handed over to a person, filters, unread
// counts, a JSON view the page polls to notify, a conversation with take over, reply
// (free text or a ready answer in the user's language) and release.
#include <algorithm>
#include <boost/json.hpp>

#include "admin/console.hpp"
#include "admin/console_parts.hpp"

namespace buurtlijn::admin {

using namespace console_parts;

namespace {
// WhatsApp lets a business send free messages only within 24 hours of the user's last
// message; after that only an approved template may be sent.
constexpr Millis kWhatsappWindowMs = 24LL * 60 * 60 * 1000;

bool whatsapp_window_closed(const store::InboxItem& item, Millis now) {
  return item.channel == "whatsapp" && now - item.last_inbound_at >= kWhatsappWindowMs;
}

constexpr std::string_view kChannels[] = {"webchat", "whatsapp", "telegram", "kannel"};

std::string language_name(const dialogs::Content& content, std::string_view code) {
  const dialogs::LanguageInfo* info = content.language(code);
  return info == nullptr ? std::string(code) : info->native_name + " (" + std::string(code) + ")";
}
}  // namespace

ConsoleResponse Console::inbox(Visit& visit) {
  const auto content = host_.content();
  store::InboxFilter filter;
  filter.language = content->has_language(visit.param("lang")) ? visit.param("lang") : "";
  for (const std::string_view channel : kChannels) {
    if (visit.param("channel") == channel) filter.channel = std::string(channel);
  }
  // Areas to choose from: the wijken of the area map, and any area an item names.
  std::vector<std::string> areas;
  if (const cases::AreaMap* map = host_.area_map()) {
    for (const cases::AreaShape& shape : map->shapes(cases::AreaShape::Level::wijk)) {
      areas.push_back(shape.name);
    }
  }
  auto all_items = store_.inbox(filter);
  if (!all_items) return refuse(visit, 503, "error.store");
  for (const store::InboxItem& item : *all_items) {
    if (!item.area.empty()) areas.push_back(item.area);
  }
  std::sort(areas.begin(), areas.end());
  areas.erase(std::unique(areas.begin(), areas.end()), areas.end());
  const std::string area = visit.param("area");
  if (std::find(areas.begin(), areas.end(), area) != areas.end()) filter.area = area;
  auto items = filter.area.empty() ? std::move(all_items) : store_.inbox(filter);
  if (!items) return refuse(visit, 503, "error.store");
  Html area_options = fill(R"(<option value="">{{t}}</option>)", {{"t", visit.t("inbox.any")}});
  for (const std::string& name : areas) {
    area_options += fill(name == filter.area ? R"(<option value="{{n}}" selected>{{n}}</option>)"
                                             : R"(<option value="{{n}}">{{n}}</option>)",
                         {{"n", name}});
  }
  Html language_options = fill(R"(<option value="">{{t}}</option>)", {{"t", visit.t("inbox.any")}});
  for (const auto& language : content->languages()) {
    language_options +=
        fill(language.code == filter.language ? R"(<option value="{{c}}" selected>{{n}}</option>)"
                                              : R"(<option value="{{c}}">{{n}}</option>)",
             {{"c", language.code}, {"n", language.native_name}});
  }
  Html channel_options = fill(R"(<option value="">{{t}}</option>)", {{"t", visit.t("inbox.any")}});
  for (const std::string_view channel : kChannels) {
    channel_options +=
        fill(channel == filter.channel ? R"(<option value="{{c}}" selected>{{n}}</option>)"
                                       : R"(<option value="{{c}}">{{n}}</option>)",
             {{"c", std::string(channel)}, {"n", visit.t("channel." + std::string(channel))}});
  }
  Html rows;
  for (const store::InboxItem& item : *items) {
    rows += fill(
        R"html(<tr class="{{state}}"><td><a href="/admin/conversation?id={{id}}">{{label}}</a></td><td>{{channel}}</td><td>{{language}}</td><td>{{area}}</td><td>{{reason}}</td><td>{{state_text}}</td><td>{{when}}</td><td>{{unread}}</td></tr>)html",
        {{"state", item.state},
         {"id", std::to_string(item.conversation_id)},
         {"label", visit.t("inbox.conversation", {{"id", item.conversation_id}})},
         {"channel", visit.t("channel." + item.channel)},
         {"language", language_name(*content, item.language)},
         {"area", item.area.empty() ? visit.t("inbox.area_unknown") : item.area},
         {"reason", visit.t("reason." + item.reason)},
         {"state_text", item.state == "taken" ? visit.t("inbox.taken_by", {{"name", item.taken_by}})
                                              : visit.t("state." + item.state)},
         {"when", format_time(item.requested_at)},
         {"unread", item.unread > 0
                        ? fill(R"(<span class="badge unread">{{n}}</span>)",
                               {{"n", visit.t("inbox.unread", {{"count", item.unread}})}})
                        : Html()}});
  }
  const Html body = fill(R"html(<p>{{intro}}</p>
<form method="get" action="/admin/inbox" class="filters">
<label for="f-lang">{{language}}</label><select id="f-lang" name="lang">{{language_options}}</select>
<label for="f-channel">{{channel}}</label><select id="f-channel" name="channel">{{channel_options}}</select>
<label for="f-area">{{area}}</label><select id="f-area" name="area">{{area_options}}</select>
<button type="submit">{{filter}}</button>
</form>
<p><button type="button" id="notify-enable">{{notify}}</button></p>
<p id="inbox-news" role="status" hidden><a href="{{here}}">{{news}}</a></p>
<div class="scroll"><table id="inbox-table" data-poll="/admin/api/inbox"><caption>{{caption}}</caption>
<thead><tr><th scope="col">{{conversation}}</th><th scope="col">{{channel}}</th><th scope="col">{{language}}</th><th scope="col">{{area}}</th><th scope="col">{{reason}}</th><th scope="col">{{state}}</th><th scope="col">{{when}}</th><th scope="col">{{unread}}</th></tr></thead>
<tbody>{{rows}}</tbody></table></div>{{empty}})html",
                         {{"intro", visit.t("inbox.intro")},
                          {"language", visit.t("inbox.language")},
                          {"language_options", language_options},
                          {"channel", visit.t("inbox.channel")},
                          {"channel_options", channel_options},
                          {"area", visit.t("inbox.area")},
                          {"area_options", area_options},
                          {"filter", visit.t("inbox.filter")},
                          {"notify", visit.t("inbox.notify")},
                          {"here", visit.request.target},
                          {"news", visit.t("inbox.news")},
                          {"caption", visit.t("inbox.caption")},
                          {"conversation", visit.t("inbox.conversation_col")},
                          {"reason", visit.t("inbox.reason")},
                          {"state", visit.t("inbox.state")},
                          {"when", visit.t("inbox.when")},
                          {"unread", visit.t("inbox.unread_col")},
                          {"rows", rows},
                          {"empty", items->empty() ? fill(R"(<p class="empty">{{t}}</p>)",
                                                          {{"t", visit.t("inbox.empty")}})
                                                   : Html()}});
  return page(visit, visit.t("inbox.title"), body, "inbox");
}

ConsoleResponse Console::inbox_json(Visit& visit) {
  auto items = store_.inbox({});
  if (!items) return refuse(visit, 503, "error.store");
  boost::json::array list;
  std::int64_t waiting = 0;
  std::int64_t unread = 0;
  for (const store::InboxItem& item : *items) {
    if (item.state == "waiting") ++waiting;
    unread += item.unread;
    list.push_back(boost::json::object{{"id", item.conversation_id},
                                       {"state", item.state},
                                       {"unread", item.unread},
                                       {"requested_at", item.requested_at}});
  }
  return json(200, boost::json::serialize(boost::json::object{
                       {"waiting", waiting}, {"unread", unread}, {"items", list}}));
}

ConsoleResponse Console::conversation(Visit& visit, std::string_view notice) {
  const std::int64_t id = to_id(visit.param("id"));
  auto item = store_.inbox_item(id);
  if (!item) return refuse(visit, 503, "error.store");
  if (!*item) return refuse(visit, 404, "error.not_found");
  auto messages = store_.conversation_messages(id, 200);
  if (!messages) return refuse(visit, 503, "error.store");
  if ((*item)->unread > 0) {
    if (auto read = store_.mark_read(id, visit.now); !read)
      return refuse(visit, 503, "error.store");
  }
  const auto content = host_.content();
  const std::string& language = (*item)->language;
  const dialogs::LanguageInfo* info = content->language(language);
  const std::string dir = info != nullptr && info->right_to_left ? "rtl" : "ltr";
  Html list;
  for (const store::ConversationMessage& message : *messages) {
    list += fill(
        R"(<li class="{{direction}}"><span class="meta">{{who}} · {{at}}</span><p lang="{{lang}}" dir="{{dir}}">{{text}}</p></li>)",
        {{"direction", message.direction},
         {"who", visit.t(message.direction == "in" ? "conversation.user" : "conversation.us")},
         {"at", format_time(message.created_at)},
         {"lang", language},
         {"dir", dir},
         {"text", message.text}});
  }
  const bool taken = (*item)->state == "taken";
  Html actions;
  Html window;
  if ((*item)->channel == "whatsapp") {
    window =
        whatsapp_window_closed(**item, visit.now)
            ? notice_box(visit.t("conversation.window_closed"), true)
            : notice_box(
                  visit.t("conversation.window_open",
                          {{"until", format_time((*item)->last_inbound_at + kWhatsappWindowMs)}}),
                  false);
  }
  if (!taken) {
    actions = fill(
        R"(<form method="post" action="/admin/take">{{csrf}}<input type="hidden" name="id" value="{{id}}"><button type="submit" id="take">{{t}}</button></form>)",
        {{"csrf", csrf_field(visit)},
         {"id", std::to_string(id)},
         {"t", visit.t("conversation.take")}});
  } else if (whatsapp_window_closed(**item, visit.now)) {
    actions = fill(
        R"(<form method="post" action="/admin/release">{{csrf}}<input type="hidden" name="id" value="{{id}}"><button type="submit" id="release">{{release}}</button></form>)",
        {{"csrf", csrf_field(visit)},
         {"id", std::to_string(id)},
         {"release", visit.t("conversation.release")}});
  } else {
    Html answers =
        fill(R"(<option value="">{{t}}</option>)", {{"t", visit.t("conversation.free_text")}});
    for (const dialogs::Node& node : content->nodes()) {
      if (node.kind == dialogs::NodeKind::menu || node.parent.empty()) continue;
      const auto label = content->lookup(dialogs::node_label_key(node.id), visit.language);
      answers += fill(R"(<option value="{{id}}">{{label}} ({{id}})</option>)",
                      {{"id", node.id}, {"label", label ? std::string(label->pattern) : node.id}});
    }
    actions = fill(
        R"html(<form method="post" action="/admin/reply" class="reply">{{csrf}}<input type="hidden" name="id" value="{{id}}">
<p><label for="answer">{{ready}}</label><select id="answer" name="answer">{{answers}}</select></p>
<p><label for="reply-text">{{free}}</label><textarea id="reply-text" name="text" rows="3" lang="{{lang}}" dir="auto"></textarea></p>
<p class="hint">{{hint}}</p>
<p><button type="submit" id="send-reply">{{send}}</button></p></form>
<form method="post" action="/admin/release">{{csrf}}<input type="hidden" name="id" value="{{id}}"><button type="submit" id="release">{{release}}</button></form>)html",
        {{"csrf", csrf_field(visit)},
         {"id", std::to_string(id)},
         {"ready", visit.t("conversation.ready_answer")},
         {"answers", answers},
         {"free", visit.t("conversation.free_text_label")},
         {"lang", language},
         {"hint", visit.t("conversation.hint", {{"language", language_name(*content, language)}})},
         {"send", visit.t("conversation.send")},
         {"release", visit.t("conversation.release")}});
  }
  const Html body =
      fill(R"html({{notice}}{{window}}<p><a href="/admin/inbox">{{back}}</a></p>
<dl class="facts"><dt>{{channel_label}}</dt><dd>{{channel}}</dd><dt>{{language_label}}</dt><dd>{{language}}</dd><dt>{{area_label}}</dt><dd>{{area}}</dd><dt>{{reason_label}}</dt><dd>{{reason}}</dd><dt>{{state_label}}</dt><dd id="conversation-state">{{state}}</dd></dl>
<ol class="messages" aria-label="{{messages_label}}">{{messages}}</ol>
{{actions}})html",
           {{"notice", notice_box(notice, false)},
            {"window", window},
            {"back", visit.t("conversation.back")},
            {"channel_label", visit.t("inbox.channel")},
            {"channel", visit.t("channel." + (*item)->channel)},
            {"language_label", visit.t("inbox.language")},
            {"language", language_name(*content, language)},
            {"area_label", visit.t("inbox.area")},
            {"area", (*item)->area.empty() ? visit.t("inbox.area_unknown") : (*item)->area},
            {"reason_label", visit.t("inbox.reason")},
            {"reason", visit.t("reason." + (*item)->reason)},
            {"state_label", visit.t("inbox.state")},
            {"state", taken ? visit.t("inbox.taken_by", {{"name", (*item)->taken_by}})
                            : visit.t("state." + (*item)->state)},
            {"messages_label", visit.t("conversation.messages")},
            {"messages", list},
            {"actions", actions}});
  return page(visit, visit.t("inbox.conversation", {{"id", id}}), body, "inbox");
}

ConsoleResponse Console::take_or_release(Visit& visit, bool take) {
  const std::int64_t id = to_id(visit.param("id"));
  auto done = take ? store_.take_over(id, visit.actor(), visit.now)
                   : store_.release(id, visit.actor(), visit.now);
  if (!done) {
    if (done.error().code == store::Error::Code::invalid)
      return refuse(visit, 404, "error.not_found");
    return refuse(visit, 503, "error.store");
  }
  if (!take) return redirect("/admin/inbox");
  return redirect("/admin/conversation?id=" + std::to_string(id));
}

ConsoleResponse Console::reply(Visit& visit) {
  const std::int64_t id = to_id(visit.param("id"));
  auto item = store_.inbox_item(id);
  if (!item) return refuse(visit, 503, "error.store");
  if (!*item || (*item)->state != "taken") return refuse(visit, 409, "error.not_taken");
  if (whatsapp_window_closed(**item, visit.now)) {
    return refuse(visit, 409, "conversation.window_closed");
  }
  const auto content = host_.content();
  dialogs::Reply reply;
  reply.language = (*item)->language.empty() ? "nl" : (*item)->language;
  const std::string answer = visit.param("answer");
  if (!answer.empty()) {
    // A ready answer: the node's text in the user's own language (with its fallback).
    const dialogs::Node* node = content->node(answer);
    if (node == nullptr) return refuse(visit, 400, "error.bad_request");
    auto text = content->render(dialogs::node_text_key(node->id), reply.language);
    if (!text) return refuse(visit, 400, "error.bad_request");
    reply.text = text->text;
    reply.language = text->language;
    reply.fallback = text->fallback;
  } else {
    reply.text = visit.param("text");
    while (!reply.text.empty() &&
           (reply.text.back() == '\n' || reply.text.back() == '\r' || reply.text.back() == ' '))
      reply.text.pop_back();
    if (reply.text.empty()) return conversation(visit, visit.t("conversation.empty_reply"));
    if (reply.text.size() > 4096) return refuse(visit, 400, "error.bad_request");
  }
  const dialogs::LanguageInfo* info = content->language(reply.language);
  reply.right_to_left = info != nullptr && info->right_to_left;
  for (const std::string& payload : host_.render_reply((*item)->channel, reply)) {
    store::HumanReply human;
    human.conversation_id = id;
    human.text = reply.text;
    human.payload_json = payload;
    auto queued = store_.queue_human_reply(human, visit.actor(), visit.now);
    if (!queued) {
      if (queued.error().code == store::Error::Code::invalid)
        return refuse(visit, 409, "error.not_taken");
      return refuse(visit, 503, "error.store");
    }
    host_.deliver((*item)->channel, id, *queued, human.payload_json);
  }
  return redirect("/admin/conversation?id=" + std::to_string(id) + "&sent=1");
}

}  // namespace buurtlijn::admin
