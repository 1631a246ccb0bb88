// The "cases" and "open311" configuration sections: rules and settings are read, every
// bad value is refused with its exact key.
#include <doctest/doctest.h>

#include "gateway/config.hpp"
#include "gateway/open311_handlers.hpp"

using buurtlijn::gateway::parse_config;

TEST_CASE("cases config: routing rules, grouping and Open311 keys are read") {
  auto config = parse_config(R"(
cases:
  group_radius_m: 40
  group_period_days: 7
  routing:
    - {category: noise, hours: "22-7", team: night, target_days: 1}
    - {area: unknown, team: triage_unknown}
  default_team: desk
open311:
  jurisdiction_id: example.nl
  api_key_sha256: ["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]
)");
  REQUIRE_MESSAGE(config, (config ? "" : config.error().describe()));
  CHECK(config->cases.group_radius_m == 40);
  CHECK(config->cases.group_period_days == 7);
  REQUIRE(config->cases.routing.size() == 2);
  CHECK(config->cases.routing[0].from_hour == 22);
  CHECK(config->cases.routing[0].to_hour == 7);
  CHECK(config->cases.routing[0].team == "night");
  CHECK(config->cases.routing[1].category == "*");
  CHECK(config->cases.routing[1].target_working_days == 5);
  CHECK(config->cases.default_team == "desk");
  CHECK(config->open311.jurisdiction_id == "example.nl");
  CHECK(config->open311.api_key_sha256.size() == 1);
  CHECK(buurtlijn::gateway::api_key_digest("test") == config->open311.api_key_sha256[0]);
}

TEST_CASE("cases config: bad values are refused with the key") {
  struct Row {
    const char* yaml;
    const char* message;
  };
  const Row rows[] = {
      {"cases:\n  group_radius_m: far\n", "cases.group_radius_m: must be a whole number"},
      {"cases:\n  colour: blue\n", "cases.colour: unknown setting"},
      {"cases:\n  routing:\n    - {category: fireworks, team: x}\n",
       "cases.routing[0].category: unknown category 'fireworks'"},
      {"cases:\n  routing:\n    - {category: noise}\n", "cases.routing[0].team: is required"},
      {"cases:\n  routing:\n    - {team: x, hours: late}\n",
       "cases.routing[0].hours: must be FROM-TO"},
      {"open311:\n  api_key_sha256: [plaintext-key]\n",
       "open311.api_key_sha256[0]: must be 64 lowercase hex characters"},
      {"open311:\n  enabled: maybe\n", "open311.enabled: must be true or false"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.yaml);
    auto config = parse_config(row.yaml);
    REQUIRE_FALSE(config);
    CHECK(config.error().describe().find(row.message) == 0);
  }
}
