// The pure parts of console broadcasts in the gateway: the segment check shared with
// the API, a console draft turned into a notification request (template or dialog
// node, parameters exact), and the preview's counts following the same routing rule as
// the batch a send builds.
#include "gateway/broadcasts.hpp"

#include <doctest/doctest.h>

#include "gateway/content_holder.hpp"
#include "gateway/notification_api.hpp"

namespace buurtlijn::gateway {
namespace {

const dialogs::NotificationCatalog& catalog() {
  static const std::shared_ptr<const dialogs::NotificationCatalog> parsed = [] {
    auto loaded = load_notification_catalog("");
    if (!loaded) FAIL(loaded.error());
    return *loaded;
  }();
  return *parsed;
}

const dialogs::Content& content() {
  static const std::shared_ptr<const dialogs::Content> parsed = [] {
    auto loaded = load_content("");
    if (!loaded) FAIL(loaded.error());
    return *loaded;
  }();
  return *parsed;
}

admin::BroadcastDraft office_hours() {
  admin::BroadcastDraft draft;
  draft.source = "template";
  draft.key = "office_hours";
  draft.params = {{"day", "dinsdag"}, {"hours", "9-12"}, {"place", "Keizerstraat"}};
  draft.segment.language = "ro";
  return draft;
}

}  // namespace

TEST_CASE("segments: sms is kannel; unknown languages and channels and empty segments refused") {
  store::NotificationTarget sms;
  sms.channel = "sms";
  CHECK_FALSE(check_segment(sms, catalog()));
  CHECK(sms.channel == "kannel");
  store::NotificationTarget area;
  area.area = "Zandweerd";
  CHECK_FALSE(check_segment(area, catalog()));
  store::NotificationTarget language;
  language.language = "xx";
  auto refused = check_segment(language, catalog());
  REQUIRE(refused);
  CHECK(refused->error == "invalid_segment");
  store::NotificationTarget channel;
  channel.channel = "webchat";  // the web chat has no subscribers to broadcast to
  REQUIRE(check_segment(channel, catalog()));
  CHECK(check_segment(channel, catalog())->error == "invalid_segment");
  store::NotificationTarget empty;
  REQUIRE(check_segment(empty, catalog()));
  CHECK(check_segment(empty, catalog())->error == "empty_segment");
  CHECK(segment_json(area) == R"({"language":"","area":"Zandweerd","channel":"","topic":""})");
}

TEST_CASE("drafts: a template needs exactly its parameters; a node's answer can be sent") {
  auto draft = office_hours();
  auto request = request_from_draft(draft, catalog(), content());
  REQUIRE(request);
  CHECK(request->template_key == "office_hours");
  CHECK(request->node_id.empty());
  CHECK(request->params.at("place") == "Keizerstraat");
  CHECK(request->target.language == "ro");
  CHECK(request->target_json == R"({"language":"ro","area":"","channel":"","topic":""})");

  auto missing = office_hours();
  missing.params["place"] = "";
  auto refused = request_from_draft(missing, catalog(), content());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().error == "missing_parameter");
  auto extra = office_hours();
  extra.params["bsn"] = "123";
  CHECK(request_from_draft(extra, catalog(), content()).error().error == "unknown_parameter");
  auto unknown = office_hours();
  unknown.key = "nope";
  CHECK(request_from_draft(unknown, catalog(), content()).error().error == "unknown_template");
  admin::BroadcastDraft nothing;
  nothing.segment.language = "ro";
  CHECK(request_from_draft(nothing, catalog(), content()).error().error == "missing_source");
  auto everybody = office_hours();
  everybody.segment = {};
  CHECK(request_from_draft(everybody, catalog(), content()).error().error == "empty_segment");

  admin::BroadcastDraft node;
  node.source = "node";
  node.key = "waste_milieupas";
  node.segment.channel = "sms";
  auto from_node = request_from_draft(node, catalog(), content());
  REQUIRE(from_node);
  CHECK(from_node->node_id == "waste_milieupas");
  CHECK(from_node->template_key == "node:waste_milieupas");
  CHECK(from_node->target.channel == "kannel");
  // Every language gets the node's own text, right-to-left ones included.
  for (const char* language : {"ro", "ar", "ti"}) {
    auto text = render_notification_text(*from_node, language, "", catalog(), &content());
    REQUIRE(text);
    auto expected = content().render(dialogs::node_text_key("waste_milieupas"), language);
    REQUIRE(expected);
    CHECK(text->text == expected->text);
    CHECK(text->language == language);
  }
  admin::BroadcastDraft root;
  root.source = "node";
  root.key = "root";  // a menu, not an answer
  root.segment.language = "ro";
  CHECK(request_from_draft(root, catalog(), content()).error().error == "unknown_node");
}

TEST_CASE("preview counts follow the routing rule of the batch a send builds") {
  const store::Millis now = 10LL * 24 * 3600 * 1000;
  const store::Millis recent = now - 3600 * 1000;
  const store::Millis old = now - 25LL * 3600 * 1000;
  const std::vector<store::NotificationRecipient> recipients{
      {1, "whatsapp", "ro", "", recent}, {2, "whatsapp", "ro", "", old},
      {3, "whatsapp", "bg", "", 0},      {4, "telegram", "ro", "", old},
      {5, "kannel", "bg", "", 0},        {6, "whatsapp", "ro", "", now - kWhatsappWindow}};
  // What the store's count query returns for these (window start = now - 24 h).
  std::map<std::tuple<std::string, std::string, bool>, std::int64_t> grouped;
  for (const auto& r : recipients) {
    const bool outside = r.channel == "whatsapp" &&
                         (r.last_inbound_at == 0 || r.last_inbound_at < now - kWhatsappWindow);
    ++grouped[{r.channel, r.language, outside}];
  }
  std::vector<store::RecipientGroup> groups;
  for (const auto& [key, n] : grouped) {
    groups.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
  }
  auto draft = office_hours();
  draft.segment = {};
  draft.segment.area = "Zandweerd";
  auto request = request_from_draft(draft, catalog(), content());
  REQUIRE(request);
  for (const bool mapped : {false, true}) {
    CAPTURE(mapped);
    Config config;
    if (mapped) {
      config.notifications.whatsapp_templates["office_hours"] =
          WhatsappTemplate{"deventer_office_hours", {{"ro", "ro"}}, {"place", "day", "hours"}};
    }
    auto built = build_notification_batch(*request, recipients, catalog(), config, now);
    REQUIRE(built);
    const NotificationPreview preview = preview_counts(groups, mapped);
    CHECK(preview.skipped == static_cast<std::int64_t>(built->skipped));
    std::int64_t counted = 0;
    for (const auto& item : built->batch.items) counted += item.counts ? 1 : 0;
    CHECK(preview.recipients == counted);
    REQUIRE(preview.channels.size() == 3);
    CHECK(preview.channels[2].channel == "whatsapp");
    CHECK(preview.channels[2].direct == 2);  // recent, and exactly 24 h ago
    CHECK(preview.channels[2].whatsapp_template == (mapped ? 2 : 0));
    CHECK(preview.channels[2].skipped == (mapped ? 0 : 2));
  }
  CHECK(route_recipient("whatsapp", 0, now, false) == RecipientRoute::skipped);
  CHECK(route_recipient("whatsapp", 0, now, true) == RecipientRoute::whatsapp_template);
  CHECK(route_recipient("telegram", 0, now, false) == RecipientRoute::direct);
  CHECK(route_recipient("whatsapp", recent, now, false) == RecipientRoute::direct);
}

}  // namespace buurtlijn::gateway
