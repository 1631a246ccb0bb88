// Runs the real `buurtlijn ARGS...` as a command (no shell), as an operator would, with
// stdout and stderr captured in files of the test's directory.
#pragma once

#include <string>
#include <vector>

#include "server_process.hpp"

namespace buurtlijn::testing {

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

CommandResult run_buurtlijn(const TempDir& dir, std::vector<std::string> args);

// `buurtlijn areas import` of the illustrative Deventer wijken, buurten and postcodes
// (data/areas/) into `data_dir`, as most report tests need before the server starts.
CommandResult import_illustrative_areas(const TempDir& dir, const std::string& data_dir);

}  // namespace buurtlijn::testing
