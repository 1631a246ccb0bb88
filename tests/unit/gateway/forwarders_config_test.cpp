// cases.forwarders and cases.public_base_url: parsing, refusals and secrets from the
// environment.
#include <doctest/doctest.h>

#include <map>

#include "gateway/config.hpp"

using namespace buurtlijn::gateway;

namespace {

EnvLookup forwarder_env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto found = values.find(std::string(name));
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

std::string forwarder_refusal(std::string_view yaml) {
  auto config = parse_config(yaml);
  REQUIRE_FALSE(config.has_value());
  return config.error().describe();
}

}  // namespace

TEST_CASE("forwarders: per-team e-mail and Open311 forwarders next to the other case settings") {
  auto config = parse_config(R"(
cases:
  default_team: triage
  public_base_url: https://buurtlijn.example/
  forwarders:
    - team: waste
      email:
        to: [afval@deventer.example, toezicht@deventer.example]
        from: "Buurtlijn <buurtlijn@deventer.example>"
        smtp_url: smtp://127.0.0.1:2525
        smtp_username: buurtlijn
        include_contact: true
    - team: room-rental
      open311: {endpoint: "https://signalen.example/open311/v2", service_code: kamers}
)");
  REQUIRE(config);
  CHECK(config->cases.default_team == "triage");
  CHECK(config->forwarding.public_base_url == "https://buurtlijn.example");
  REQUIRE(config->forwarding.forwarders.size() == 2);
  const Forwarder* waste = config->forwarding.for_team("waste");
  REQUIRE(waste != nullptr);
  REQUIRE(waste->email);
  CHECK(waste->email->to.size() == 2);
  CHECK(waste->email->smtp_url == "smtp://127.0.0.1:2525");
  CHECK(waste->email->include_contact);
  CHECK_FALSE(waste->open311);
  const Forwarder* rental = config->forwarding.for_team("room-rental");
  REQUIRE(rental != nullptr);
  REQUIRE(rental->open311);
  CHECK(rental->open311->service_code == "kamers");
  CHECK(config->forwarding.for_team("noise") == nullptr);

  CHECK(forwarder_secret_name("room-rental", "OPEN311_API_KEY") ==
        "BUURTLIJN_FORWARD_ROOM_RENTAL_OPEN311_API_KEY");
  REQUIRE(
      load_secrets(*config, forwarder_env({{"BUURTLIJN_FORWARD_ROOM_RENTAL_OPEN311_API_KEY", "k3y"},
                                           {"BUURTLIJN_FORWARD_WASTE_SMTP_PASSWORD", "pw"}})));
  CHECK(config->forwarding.for_team("room-rental")->open311->api_key == "k3y");
  CHECK(config->forwarding.for_team("waste")->email->smtp_password == "pw");
  auto both = parse_config(
      "cases:\n  forwarders:\n    - {team: t, open311: {endpoint: 'http://h', "
      "service_code: c}}\n");
  REQUIRE(both);
  auto refused =
      load_secrets(*both, forwarder_env({{"BUURTLIJN_FORWARD_T_OPEN311_API_KEY", "a"},
                                         {"BUURTLIJN_FORWARD_T_OPEN311_API_KEY_FILE", "/x"}}));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().key == "BUURTLIJN_FORWARD_T_OPEN311_API_KEY");
}

TEST_CASE("forwarders: bad settings are refused with the dotted key") {
  CHECK(forwarder_refusal("cases:\n  forwarders: {team: x}\n") ==
        "cases.forwarders: must be a list of forwarders");
  CHECK(
      forwarder_refusal("cases:\n  forwarders:\n    - {email: {}}\n").find("cases.forwarders[0]") ==
      0);
  CHECK(forwarder_refusal("cases:\n  forwarders:\n    - {team: x}\n") ==
        "cases.forwarders[0]: needs email or open311");
  CHECK(forwarder_refusal("cases:\n  forwarders:\n    - {team: x, email: {to: [a@b.nl], from: "
                          "c@d.nl, smtp_url: 'http://x'}}\n") ==
        "cases.forwarders[0].email.smtp_url: must start with smtp:// or smtps://");
  CHECK(forwarder_refusal("cases:\n  forwarders:\n    - {team: x, email: {to: ['a b@c.nl'], from: "
                          "c@d.nl, smtp_url: 'smtp://x'}}\n") ==
        "cases.forwarders[0].email: an e-mail recipient address is not valid");
  CHECK(forwarder_refusal("cases:\n  forwarders:\n    - {team: x, open311: {endpoint: "
                          "'https://h'}}\n") ==
        "cases.forwarders[0].open311.service_code: is required");
  CHECK(forwarder_refusal("cases:\n  forwarders:\n    - {team: x, open311: {endpoint: 'https://h', "
                          "service_code: c, api_key: k}}\n") ==
        "cases.forwarders[0].open311.api_key: unknown setting");
  CHECK(forwarder_refusal("cases:\n  public_base_url: buurtlijn.example\n") ==
        "cases.public_base_url: must start with http:// or https://");
  CHECK(forwarder_refusal(
            "cases:\n  forwarders:\n    - {team: x, open311: {endpoint: 'https://h', service_code: "
            "c}}\n    - {team: x, open311: {endpoint: 'https://h', service_code: c}}\n") ==
        "cases.forwarders[1].team: team 'x' has a forwarder already");
}
