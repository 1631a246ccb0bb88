// The content editor's pages (see console.hpp): the dialog tree as an outline, a node's
// texts in all 16 languages with live preview, saving (checked, stored, published at
// once), revision history with a diff and revert, review flags and the coverage view.
#include <boost/json.hpp>
#include <set>

#include "admin/console.hpp"
#include "admin/console_parts.hpp"

namespace buurtlijn::admin {

using namespace console_parts;

namespace console_parts {
Html word_diff(std::string_view before, std::string_view after) {
  auto split = [](std::string_view text) {
    std::vector<std::string> words;
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t end = text.find(' ', at);
      if (end == std::string_view::npos) end = text.size();
      if (end > at) words.emplace_back(text.substr(at, end - at));
      at = end + 1;
    }
    return words;
  };
  const auto a = split(before);
  const auto b = split(after);
  if (a.size() > 600 || b.size() > 600) {
    return fill("<del>{{a}}</del> <ins>{{b}}</ins>",
                {{"a", std::string(before)}, {"b", std::string(after)}});
  }
  std::vector<std::vector<int>> lcs(a.size() + 1, std::vector<int>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;) {
    for (std::size_t j = b.size(); j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  Html out;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      out += fill("{{w}} ", {{"w", a[i]}});
      ++i;
      ++j;
    } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out += fill("<ins>{{w}}</ins> ", {{"w", b[j]}});
      ++j;
    } else {
      out += fill("<del>{{w}}</del> ", {{"w", a[i]}});
      ++i;
    }
  }
  return out;
}

}  // namespace console_parts

namespace {

bool is_source_language(std::string_view language) {
  return language == "nl" || language == "en";
}

// "nodes.brp.text" -> "brp"; "messages.welcome" -> "welcome".
std::string id_of_key(std::string_view key) {
  const auto first = key.find('.');
  if (first == std::string_view::npos) return {};
  const auto second = key.find('.', first + 1);
  return std::string(key.substr(
      first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1));
}

std::string page_of_key(std::string_view key) {
  if (key.rfind("messages.", 0) == 0) return "/admin/node?message=" + url_encode(id_of_key(key));
  return "/admin/node?id=" + url_encode(id_of_key(key));
}

// Every text key the editor offers: node labels and texts, messages.
std::vector<std::string> all_keys(const dialogs::Content& content) {
  std::vector<std::string> keys;
  for (const dialogs::Node& node : content.nodes()) {
    for (std::string& key : node_keys(node)) keys.push_back(std::move(key));
  }
  for (const std::string& message : content.messages())
    keys.push_back(dialogs::message_key(message));
  return keys;
}

std::string own_text(const dialogs::Content& content, std::string_view key,
                     std::string_view language) {
  const auto found = content.lookup(key, language);
  if (!found || found->fallback) return {};
  return std::string(found->pattern);
}

std::string normalise(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c != '\r') out += c;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == '\t'))
    out.pop_back();
  std::size_t start = 0;
  while (start < out.size() && (out[start] == ' ' || out[start] == '\n')) ++start;
  return out.substr(start);
}

}  // namespace

ConsoleResponse Console::content_outline(Visit& visit) {
  const auto content = host_.content();
  auto flags = store_.review_flags();
  if (!flags) return refuse(visit, 503, "error.store");
  std::map<std::string, int> flagged_per_node;
  for (const auto& flag : *flags) ++flagged_per_node[id_of_key(flag.key)];

  // Missing translations of a node, over all languages.
  auto missing_of = [&](const dialogs::Node& node) {
    int missing = 0;
    for (const std::string& key : node_keys(node)) {
      for (const auto& language : content->languages()) {
        if (own_text(*content, key, language.code).empty()) ++missing;
      }
    }
    return missing;
  };
  auto badges = [&](const std::string& id, int missing) {
    Html out;
    if (missing > 0)
      out += fill(R"( <span class="badge missing">{{t}}</span>)",
                  {{"t", visit.t("content.missing_count", {{"count", std::int64_t{missing}}})}});
    const auto flagged = flagged_per_node.find(id);
    if (flagged != flagged_per_node.end()) {
      out += fill(
          R"( <span class="badge review">{{t}}</span>)",
          {{"t", visit.t("content.review_count", {{"count", std::int64_t{flagged->second}}})}});
    }
    return out;
  };
  std::function<Html(const dialogs::Node&)> outline = [&](const dialogs::Node& node) -> Html {
    Html children;
    for (const std::string& child : node.children) {
      if (const dialogs::Node* next = content->node(child)) children += outline(*next);
    }
    const std::string label = own_text(
        *content,
        node.parent.empty() ? dialogs::node_text_key(node.id) : dialogs::node_label_key(node.id),
        "nl");
    return fill(
        R"(<li><a href="/admin/node?id={{id}}">{{label}}</a> <code>{{id}}</code> <span class="kind">{{kind}}</span>{{badges}}{{children}}</li>)",
        {{"id", node.id},
         {"label", node.parent.empty() ? visit.t("content.root") : label},
         {"kind", visit.t(node.kind == dialogs::NodeKind::menu       ? "kind.menu"
                          : node.kind == dialogs::NodeKind::handover ? "kind.handover"
                                                                     : "kind.answer")},
         {"badges", badges(node.id, missing_of(node))},
         {"children", children.empty() ? Html() : fill("<ul>{{c}}</ul>", {{"c", children}})}});
  };
  Html others;
  for (const dialogs::Node& node : content->nodes()) {
    if (node.parent.empty() && node.id != content->root().id) others += outline(node);
  }
  Html messages;
  for (const std::string& message : content->messages()) {
    messages += fill(R"(<li><a href="/admin/node?message={{id}}">{{id}}</a>{{badges}}</li>)",
                     {{"id", message}, {"badges", badges(message, 0)}});
  }
  const Html body = fill(R"html(<p>{{intro}}</p>
<section aria-labelledby="tree-h"><h2 id="tree-h">{{tree}}</h2><ul class="tree">{{outline}}</ul></section>
<section aria-labelledby="special-h"><h2 id="special-h">{{special}}</h2><ul class="tree">{{others}}</ul></section>
<section aria-labelledby="messages-h"><h2 id="messages-h">{{messages_title}}</h2><ul class="tree">{{messages}}</ul></section>)html",
                         {{"intro", visit.t("content.intro")},
                          {"tree", visit.t("content.tree")},
                          {"outline", outline(content->root())},
                          {"special", visit.t("content.special")},
                          {"others", others},
                          {"messages_title", visit.t("content.messages")},
                          {"messages", messages}});
  return page(visit, visit.t("content.title"), body, "content");
}

ConsoleResponse Console::node_page(Visit& visit, std::string_view notice,
                                   std::vector<std::string> errors) {
  const auto content = host_.content();
  std::vector<std::string> keys;
  std::string title;
  const std::string message = visit.param("message");
  if (!message.empty()) {
    bool known = false;
    for (const std::string& id : content->messages()) known = known || id == message;
    if (!known) return refuse(visit, 404, "error.not_found");
    keys.push_back(dialogs::message_key(message));
    title = visit.t("content.message_title", {{"id", message}});
  } else {
    const dialogs::Node* node = content->node(visit.param("id"));
    if (node == nullptr) return refuse(visit, 404, "error.not_found");
    keys = node_keys(*node);
    title = visit.t("content.node_title", {{"id", node->id}});
  }
  auto flags = store_.review_flags();
  if (!flags) return refuse(visit, 503, "error.store");
  std::set<std::pair<std::string, std::string>> flagged;
  for (const auto& flag : *flags) flagged.emplace(flag.language, flag.key);

  Html sections;
  for (const std::string& key : keys) {
    const std::string dutch = own_text(*content, key, "nl");
    Html cards;
    for (const dialogs::LanguageInfo& language : content->languages()) {
      const std::string text = own_text(*content, key, language.code);
      const std::string failed_text =
          visit.param("lang") == language.code && visit.param("key") == key && !errors.empty()
              ? visit.param("text")
              : "";
      const std::string shown = failed_text.empty() ? text : failed_text;
      const Preview preview = editor_.preview(language.code, key, shown.empty() ? dutch : shown);
      Html status;
      if (text.empty())
        status += fill(R"(<span class="badge missing">{{t}}</span> )",
                       {{"t", visit.t("content.missing")}});
      const bool needs_review = flagged.count({language.code, key}) != 0;
      if (needs_review)
        status += fill(R"(<span class="badge review">{{t}}</span> )",
                       {{"t", visit.t("content.needs_review")}});
      const std::string field = "t-" + language.code + "-" + key;
      const std::string dir = language.right_to_left ? "rtl" : "ltr";
      cards += fill(
          R"html(<article class="card" id="card-{{code}}-{{key}}">
<form method="post" action="/admin/save" class="edit" data-lang="{{code}}" data-key="{{key}}">
{{csrf}}<input type="hidden" name="lang" value="{{code}}"><input type="hidden" name="key" value="{{key}}"><input type="hidden" name="node" value="{{node}}">
<h3><label for="{{field}}">{{name}} <span class="code">({{code}})</span></label> {{status}}</h3>
{{source}}
<textarea id="{{field}}" name="text" lang="{{code}}" dir="{{dir}}" rows="4" aria-describedby="{{field}}-counts">{{text}}</textarea>
<p class="counts" id="{{field}}-counts" aria-live="polite">{{counts}}</p>
<div class="preview" lang="{{code}}" dir="{{dir}}" aria-label="{{preview_label}}">{{preview}}</div>
<p class="actions"><button type="submit">{{save}}</button> <a href="/admin/history?lang={{code}}&amp;key={{key}}">{{history}}</a></p>
</form>
{{confirm}}
</article>)html",
          {{"code", language.code},
           {"key", key},
           {"node", visit.param("id").empty() ? "message:" + message : visit.param("id")},
           {"csrf", csrf_field(visit)},
           {"field", field},
           {"name", language.native_name},
           {"status", status},
           {"source",
            language.code == "nl"
                ? Html()
                : fill(
                      R"(<p class="source" lang="nl"><span class="visually-hidden">Nederlands: </span>{{t}}</p>)",
                      {{"t", dutch}})},
           {"dir", dir},
           {"text", shown},
           {"counts", visit.t("editor.counts", {{"chars", std::int64_t(preview.chars)},
                                                {"sms", std::int64_t(preview.sms_segments)}})},
           {"preview_label", visit.t("editor.preview")},
           {"preview", preview.error.empty() ? preview.text : visit.t("editor.invalid")},
           {"save", visit.t("editor.save")},
           {"history", visit.t("editor.history")},
           {"confirm",
            needs_review
                ? fill(
                      R"(<form method="post" action="/admin/confirm" class="inline">{{csrf}}<input type="hidden" name="lang" value="{{code}}"><input type="hidden" name="key" value="{{key}}"><button type="submit">{{t}}</button></form>)",
                      {{"csrf", csrf_field(visit)},
                       {"code", language.code},
                       {"key", key},
                       {"t", visit.t("editor.confirm")}})
                : Html()}});
    }
    sections += fill(
        R"(<section aria-labelledby="h-{{key}}"><h2 id="h-{{key}}">{{title}}</h2><div class="cards">{{cards}}</div></section>)",
        {{"key", key},
         {"title",
          visit.t(key.rfind(".label") == key.size() - 6 ? "content.label" : "content.text")},
         {"cards", cards}});
  }
  Html error_list;
  for (const std::string& error : errors) error_list += fill("<li>{{e}}</li>", {{"e", error}});
  const Html body = fill(
      R"({{notice}}{{errors}}<p><a href="/admin/content">{{back}}</a></p><p>{{help}}</p>{{sections}})",
      {{"notice", notice_box(notice, false)},
       {"errors",
        errors.empty()
            ? Html()
            : fill(R"(<div class="notice error" role="alert"><p>{{t}}</p><ul>{{l}}</ul></div>)",
                   {{"t", visit.t("editor.refused")}, {"l", error_list}})},
       {"back", visit.t("content.back")},
       {"help", visit.t("editor.help")},
       {"sections", sections}});
  return page(visit, title, body, "content", errors.empty() ? 200 : 422);
}

std::vector<std::string> Console::store_edit(Visit& visit, store::TextEdit edit) {
  return store_edits(visit, {std::move(edit)});
}

std::vector<std::string> Console::store_edits(Visit& visit, std::vector<store::TextEdit> edits) {
  const std::lock_guard lock(content_mutex_);
  auto overrides = store_.content_overrides();
  if (!overrides) return {visit.t("error.store")};
  std::vector<store::ContentOverride> next = std::move(*overrides);
  for (store::TextEdit& edit : edits) {
    std::erase_if(next, [&](const store::ContentOverride& entry) {
      return entry.language == edit.language && entry.key == edit.key;
    });
    edit.clear_override = edit.text == editor_.builtin_text(edit.language, edit.key) ||
                          (edit.text.empty() && edit.kind == "revert");
    if (!edit.clear_override) next.push_back({edit.language, edit.key, edit.text});
  }
  const Files files = editor_.apply(next);
  if (auto problems = editor_.new_problems(files); !problems.empty()) return problems;
  auto content = ContentEditor::build(files);
  if (!content) return {content.error()};
  for (store::TextEdit& edit : edits) {
    if (is_source_language(edit.language)) {
      for (const auto& language : (*content)->languages()) {
        if (language.code != edit.language && language.code != "nl") {
          edit.flag_for_review.push_back(language.code);
        }
      }
    }
    if (auto saved = store_.save_text(edit, visit.actor(), visit.now); !saved) {
      // Earlier edits of the batch are stored: publish what the store now holds.
      if (auto restored = restore_overrides(); !restored) return {restored.error()};
      return {visit.t("error.store")};
    }
  }
  host_.publish(*content);
  return {};
}

ConsoleResponse Console::save_text(Visit& visit) {
  const auto content = host_.content();
  const std::string language = visit.param("lang");
  const std::string key = visit.param("key");
  if (!content->has_language(language) || own_text(*content, key, "nl").empty()) {
    return refuse(visit, 400, "error.bad_request");
  }
  const std::string text = normalise(visit.param("text"));
  const std::string node = visit.param("node");
  store::TextEdit edit;
  edit.language = language;
  edit.key = key;
  edit.text = text;
  edit.previous = own_text(*content, key, language);
  if (text == edit.previous) return redirect(page_of_key(key) + "#card-" + language + "-" + key);
  if (text.empty()) {
    visit.query["id"] = id_of_key(key);
    return node_page(visit, "", {visit.t("editor.empty")});
  }
  auto problems = store_edit(visit, std::move(edit));
  if (!problems.empty()) {
    if (key.rfind("messages.", 0) == 0) {
      visit.query["message"] = id_of_key(key);
    } else {
      visit.query["id"] = id_of_key(key);
    }
    return node_page(visit, "", std::move(problems));
  }
  return redirect(page_of_key(key) + "&saved=1#card-" + language + "-" + key);
}

ConsoleResponse Console::revert(Visit& visit) {
  auto revision = store_.revision(to_id(visit.param("revision")));
  if (!revision) return refuse(visit, 503, "error.store");
  if (!*revision) return refuse(visit, 404, "error.not_found");
  const auto content = host_.content();
  store::TextEdit edit;
  edit.language = (*revision)->language;
  edit.key = (*revision)->key;
  edit.text = (*revision)->previous;
  edit.previous = own_text(*content, edit.key, edit.language);
  edit.kind = "revert";
  auto problems = store_edit(visit, edit);
  if (!problems.empty()) {
    visit.query["lang"] = edit.language;
    visit.query["key"] = edit.key;
    return history(visit);
  }
  return redirect("/admin/history?lang=" + url_encode(edit.language) +
                  "&key=" + url_encode(edit.key) + "&reverted=1");
}

ConsoleResponse Console::confirm(Visit& visit) {
  const std::string language = visit.param("lang");
  const std::string key = visit.param("key");
  if (auto done = store_.confirm_review(language, key, visit.actor(), visit.now); !done) {
    if (done.error().code == store::Error::Code::invalid)
      return refuse(visit, 400, "error.bad_request");
    return refuse(visit, 503, "error.store");
  }
  return redirect(page_of_key(key) + "#card-" + language + "-" + key);
}

ConsoleResponse Console::history(Visit& visit) {
  const std::string language = visit.param("lang");
  const std::string key = visit.param("key");
  const auto content = host_.content();
  if (!content->has_language(language)) return refuse(visit, 400, "error.bad_request");
  auto revisions = store_.revisions(language, key);
  if (!revisions) return refuse(visit, 503, "error.store");
  Html rows;
  for (const store::ContentRevision& revision : *revisions) {
    rows += fill(
        R"html(<tr><td>{{at}}</td><td>{{who}}</td><td>{{kind}}</td><td class="diff" lang="{{lang}}" dir="{{dir}}">{{diff}}</td>
<td><form method="post" action="/admin/revert">{{csrf}}<input type="hidden" name="revision" value="{{id}}"><button type="submit">{{revert}}</button></form></td></tr>)html",
        {{"at", format_time(revision.created_at)},
         {"who", revision.user_name},
         {"kind", visit.t("history.kind_" + revision.kind)},
         {"lang", language},
         {"dir", content->language(language)->right_to_left ? "rtl" : "ltr"},
         {"diff", word_diff(revision.previous, revision.text)},
         {"csrf", csrf_field(visit)},
         {"id", std::to_string(revision.id)},
         {"revert", visit.t("history.revert")}});
  }
  const Html body =
      fill(R"html({{notice}}<p><a href="{{back_href}}">{{back}}</a></p>
<p>{{current_label}}</p><blockquote lang="{{lang}}">{{current}}</blockquote>
<div class="scroll"><table><caption>{{caption}}</caption><thead><tr><th scope="col">{{when}}</th><th scope="col">{{who}}</th><th scope="col">{{kind}}</th><th scope="col">{{change}}</th><th scope="col"><span class="visually-hidden">{{revert}}</span></th></tr></thead>
<tbody>{{rows}}</tbody></table></div>)html",
           {{"notice",
             notice_box(visit.param("reverted").empty() ? "" : visit.t("history.reverted"), false)},
            {"back_href", page_of_key(key)},
            {"back", visit.t("history.back")},
            {"current_label", visit.t("history.current")},
            {"lang", language},
            {"current", own_text(*content, key, language)},
            {"caption", visit.t("history.caption")},
            {"when", visit.t("audit.when")},
            {"who", visit.t("audit.who")},
            {"kind", visit.t("history.kind")},
            {"change", visit.t("history.change")},
            {"revert", visit.t("history.revert")},
            {"rows", rows}});
  return page(visit, visit.t("history.title", {{"key", key}, {"lang", language}}), body, "content");
}

ConsoleResponse Console::coverage(Visit& visit) {
  const auto content = host_.content();
  auto flags = store_.review_flags();
  if (!flags) return refuse(visit, 503, "error.store");
  const auto keys = all_keys(*content);
  Html rows;
  for (const dialogs::LanguageInfo& language : content->languages()) {
    Html missing;
    int missing_count = 0;
    for (const std::string& key : keys) {
      if (!own_text(*content, key, language.code).empty()) continue;
      ++missing_count;
      missing += fill(R"(<li><a href="{{href}}">{{key}}</a></li>)",
                      {{"href", page_of_key(key)}, {"key", key}});
    }
    Html review;
    int review_count = 0;
    for (const auto& flag : *flags) {
      if (flag.language != language.code) continue;
      ++review_count;
      review += fill(R"(<li><a href="{{href}}">{{key}}</a></li>)",
                     {{"href", page_of_key(flag.key)}, {"key", flag.key}});
    }
    rows += fill(
        R"html(<tr><th scope="row" lang="{{code}}">{{name}} ({{code}})</th><td>{{done}}</td><td>{{missing_count}}<ul>{{missing}}</ul></td><td>{{review_count}}<ul>{{review}}</ul></td></tr>)html",
        {{"code", language.code},
         {"name", language.native_name},
         {"done",
          std::to_string(keys.size() - missing_count) + " / " + std::to_string(keys.size())},
         {"missing_count", std::to_string(missing_count)},
         {"missing", missing},
         {"review_count", std::to_string(review_count)},
         {"review", review}});
  }
  const Html body = fill(
      R"html({{imported}}<p>{{intro}}</p><div class="scroll"><table class="coverage"><caption>{{caption}}</caption>
<thead><tr><th scope="col">{{language}}</th><th scope="col">{{done}}</th><th scope="col">{{missing}}</th><th scope="col">{{review}}</th></tr></thead><tbody>{{rows}}</tbody></table></div>)html",
      {{"imported",
        visit.param("imported").empty()
            ? Html()
            : notice_box(
                  visit.t("import.done", {{"count", std::int64_t(to_id(visit.param("imported")))}}),
                  false)},
       {"intro", visit.t("coverage.intro")},
       {"caption", visit.t("coverage.caption")},
       {"language", visit.t("coverage.language")},
       {"done", visit.t("coverage.done")},
       {"missing", visit.t("content.missing")},
       {"review", visit.t("content.needs_review")},
       {"rows", rows}});
  return page(visit, visit.t("coverage.title"), body, "coverage");
}

ConsoleResponse Console::preview(Visit& visit) {
  const auto content = host_.content();
  const std::string language = visit.param("lang");
  if (!content->has_language(language)) return refuse(visit, 400, "error.bad_request");
  const Preview preview =
      editor_.preview(language, visit.param("key"), normalise(visit.param("text")));
  boost::json::array warnings;
  for (const std::string& warning : preview.warnings) warnings.emplace_back(visit.t(warning));
  return json(
      200, boost::json::serialize(boost::json::object{
               {"text", preview.error.empty() ? preview.text : visit.t("editor.invalid")},
               {"valid", preview.error.empty()},
               {"counts", visit.t("editor.counts", {{"chars", std::int64_t(preview.chars)},
                                                    {"sms", std::int64_t(preview.sms_segments)}})},
               {"warnings", warnings}}));
}

}  // namespace buurtlijn::admin
