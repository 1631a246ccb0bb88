// The "cases" and "open311" sections of the configuration file (see
// buurtlijn.example.yaml), parsed here so that config.cpp only hands them over.
#pragma once

#include <string>
#include <tl/expected.hpp>
#include <vector>

#include "cases/routing.hpp"

namespace YAML {
class Node;
}

namespace buurtlijn::gateway {

struct ConfigError;

struct Open311Config {
  bool enabled = true;
  // SHA-256 (hex) of each accepted api_key: the file holds no usable key.
  std::vector<std::string> api_key_sha256;
  std::string jurisdiction_id = "deventer.nl";
};

// Reads the section `name` ("cases" or "open311") into `cases` / `open311`. Unknown keys,
// wrong types and bad values are refused with the dotted key.
tl::expected<void, ConfigError> parse_cases_section(const std::string& name, const YAML::Node& node,
                                                    cases::CasesSettings& cases,
                                                    Open311Config& open311);

}  // namespace buurtlijn::gateway
