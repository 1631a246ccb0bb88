// Translations in and out of the console as gettext PO (see translations.hpp): a
// download per language, and an upload that shows every change and the content check's
// verdict before anything is stored; applying stores the changes as one checked batch.
#include <set>

#include "admin/console.hpp"
#include "admin/console_parts.hpp"
#include "admin/translations.hpp"

namespace buurtlijn::admin {

using namespace console_parts;

ConsoleResponse Console::export_po(Visit& visit) {
  const auto content = host_.content();
  const std::string language = visit.param("lang");
  if (!content->has_language(language)) return refuse(visit, 400, "error.bad_request");
  auto flags = store_.review_flags();
  if (!flags) return refuse(visit, 503, "error.store");
  std::set<std::string, std::less<>> review;
  for (const auto& flag : *flags) {
    if (flag.language == language) review.insert(flag.key);
  }
  ConsoleResponse response;
  response.content_type = "text/x-gettext-translation; charset=utf-8";
  response.body = admin::export_po(*content, language, review);
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"buurtlijn-" + language + ".po\"");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

ConsoleResponse Console::import_page(Visit& visit) {
  const auto content = host_.content();
  const std::string text = visit.param("po");
  const bool post = visit.request.method == "POST";
  Html result;
  const std::string notice;
  if (post) {
    auto catalog = parse_po(text);
    if (!catalog) {
      result = notice_box(visit.t("import.malformed", {{"reason", catalog.error()}}), true);
    } else if (!content->has_language(catalog->language)) {
      result = notice_box(visit.t("import.unknown_language", {{"code", catalog->language}}), true);
    } else {
      const auto changes = po_changes(*content, *catalog);
      std::vector<store::TextEdit> edits;
      Html rows;
      for (const PoChange& change : changes) {
        store::TextEdit edit;
        edit.language = catalog->language;
        edit.key = change.key;
        edit.text = change.after;
        edit.previous = change.before;
        edit.kind = "import";
        edits.push_back(std::move(edit));
        rows += fill(
            R"(<tr><td><code>{{key}}</code></td><td class="diff" lang="{{lang}}">{{diff}}</td></tr>)",
            {{"key", change.key},
             {"lang", catalog->language},
             {"diff", word_diff(change.before, change.after)}});
      }
      std::vector<std::string> problems;
      if (visit.param("apply") == "1" && !edits.empty()) {
        problems = store_edits(visit, edits);
        if (problems.empty()) {
          return redirect("/admin/coverage?imported=" + std::to_string(edits.size()));
        }
      } else if (!edits.empty()) {
        Files files = editor_.apply([&] {
          auto overrides = store_.content_overrides();
          std::vector<store::ContentOverride> next =
              overrides ? *overrides : std::vector<store::ContentOverride>{};
          for (const auto& edit : edits) {
            std::erase_if(next, [&](const store::ContentOverride& entry) {
              return entry.language == edit.language && entry.key == edit.key;
            });
            next.push_back({edit.language, edit.key, edit.text});
          }
          return next;
        }());
        problems = editor_.new_problems(files);
      }
      Html problem_list;
      for (const std::string& problem : problems)
        problem_list += fill("<li>{{p}}</li>", {{"p", problem}});
      result = fill(
          R"html(<h2>{{title}}</h2>{{problems}}
<div class="scroll"><table><caption>{{caption}}</caption><thead><tr><th scope="col">{{key}}</th><th scope="col">{{change}}</th></tr></thead><tbody>{{rows}}</tbody></table></div>
{{apply}})html",
          {{"title", visit.t("import.changes", {{"count", std::int64_t(changes.size())},
                                                {"lang", catalog->language}})},
           {"problems",
            problems.empty()
                ? Html()
                : fill(R"(<div class="notice error" role="alert"><p>{{t}}</p><ul>{{l}}</ul></div>)",
                       {{"t", visit.t("editor.refused")}, {"l", problem_list}})},
           {"caption", visit.t("import.caption")},
           {"key", visit.t("import.key")},
           {"change", visit.t("history.change")},
           {"rows", rows},
           {"apply",
            problems.empty() && !changes.empty()
                ? fill(
                      R"(<form method="post" action="/admin/import">{{csrf}}<input type="hidden" name="apply" value="1"><input type="hidden" name="po" value="{{po}}"><button type="submit" id="import-apply">{{t}}</button></form>)",
                      {{"csrf", csrf_field(visit)}, {"po", text}, {"t", visit.t("import.apply")}})
                : Html()}});
    }
  }
  Html exports;
  for (const auto& language : content->languages()) {
    exports +=
        fill(R"(<li><a href="/admin/export?lang={{code}}" download>{{name}} ({{code}})</a></li>)",
             {{"code", language.code}, {"name", language.native_name}});
  }
  const Html body = fill(R"html({{notice}}<p>{{intro}}</p>
<section aria-labelledby="export-h"><h2 id="export-h">{{export_title}}</h2><ul class="columns">{{exports}}</ul></section>
<section aria-labelledby="import-h"><h2 id="import-h">{{import_title}}</h2>
<form method="post" action="/admin/import" class="import">{{csrf}}
<p><label for="po-file">{{file}}</label> <input type="file" id="po-file" accept=".po,text/x-gettext-translation"></p>
<p><label for="po">{{paste}}</label><textarea id="po" name="po" rows="8">{{text}}</textarea></p>
<p><button type="submit">{{check}}</button></p>
</form>{{result}}</section>)html",
                         {{"notice", notice_box(notice, false)},
                          {"intro", visit.t("import.intro")},
                          {"export_title", visit.t("import.export_title")},
                          {"exports", exports},
                          {"import_title", visit.t("import.import_title")},
                          {"csrf", csrf_field(visit)},
                          {"file", visit.t("import.file")},
                          {"paste", visit.t("import.paste")},
                          {"text", text},
                          {"check", visit.t("import.check")},
                          {"result", result}});
  return page(visit, visit.t("import.title"), body, "import");
}

}  // namespace buurtlijn::admin
