// The Broadcasts pages' pure parts: a draft from the console's form, parameters kept as
// JSON while scheduled, and Europe/Amsterdam local times (winter, summer, the changes).
#include <doctest/doctest.h>

#include "admin/broadcasts.hpp"

namespace buurtlijn::admin {

TEST_CASE("broadcast form: source, parameters and segment, trimmed") {
  const std::map<std::string, std::string, std::less<>> form{{"source", "template:office_hours"},
                                                             {"param.day", " dinsdag "},
                                                             {"param.place", "Keizerstraat"},
                                                             {"language", "ro"},
                                                             {"area", " Zandweerd\n"},
                                                             {"channel", "sms"},
                                                             {"csrf", "token"},
                                                             {"param.", "ignored"}};
  const BroadcastDraft draft = draft_from_form(form);
  CHECK(draft.source == "template");
  CHECK(draft.key == "office_hours");
  CHECK(draft.params.size() == 2);
  CHECK(draft.params.at("day") == "dinsdag");
  CHECK(draft.segment.language == "ro");
  CHECK(draft.segment.area == "Zandweerd");
  CHECK(draft.segment.channel == "sms");  // normalised by the gateway's check_segment
  CHECK(draft.segment.topic.empty());
  CHECK(draft_from_form({{"source", "node:waste_milieupas"}}).key == "waste_milieupas");
  CHECK(draft_from_form({{"source", "garbage"}}).source.empty());

  const Params params{{"day", "dinsdag"}, {"place", "\"Brink\" 1"}};
  CHECK(params_from_json(params_to_json(params)) == params);
  CHECK(params_from_json("not json").empty());
  CHECK(params_from_json("[1]").empty());
  store::BroadcastRecord record;
  record.source = "node";
  record.source_key = "brp_register";
  record.params_json = params_to_json(params);
  record.segment.topic = "waste";
  const BroadcastDraft back = draft_from_record(record);
  CHECK(back.params == params);
  CHECK(back.segment.topic == "waste");
}

TEST_CASE("broadcast times: Europe/Amsterdam in, UTC stored, Amsterdam shown") {
  // 1 December 2026 14:30 CET is 13:30 UTC; 1 July 2026 14:30 CEST is 12:30 UTC.
  CHECK(amsterdam_to_utc("2026-12-01T14:30") == std::optional<Millis>(1'796'131'800'000));
  CHECK(amsterdam_to_utc("2026-07-01T14:30") == std::optional<Millis>(1'782'909'000'000));
  CHECK(amsterdam_to_utc("2026-07-01T14:30:00") == std::optional<Millis>(1'782'909'000'000));
  CHECK(format_amsterdam(1'796'131'800'000) == "2026-12-01 14:30");
  CHECK(amsterdam_input_value(1'782'909'000'000) == "2026-07-01T14:30");
  // 29 March 2026 02:30 does not exist (the clock jumps from 02:00 to 03:00): 03:30 CEST.
  const auto skipped = amsterdam_to_utc("2026-03-29T02:30");
  REQUIRE(skipped);
  CHECK(format_amsterdam(*skipped) == "2026-03-29 03:30");
  for (const char* bad : {"", "2026-02-30T10:00", "2026-13-01T10:00", "2026-12-01 25:00",
                          "01-12-2026 10:00", "2026-12-01T10:60", "2026-12-01"}) {
    CAPTURE(bad);
    CHECK_FALSE(amsterdam_to_utc(bad));
  }
}

}  // namespace buurtlijn::admin
