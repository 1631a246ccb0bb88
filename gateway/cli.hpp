// The command line: `buurtlijn <command> [options]`. Every command that reads or writes
// data takes --config and --data-dir with the same meaning as `serve`, so it works on
// the same files as a running server. Boundary code: prints to stdout/stderr.
#pragma once

#include <string>
#include <vector>

namespace buurtlijn::gateway {

// Runs the command in `args` (without the program name); returns the exit code.
int run_cli(const std::vector<std::string>& args);

}  // namespace buurtlijn::gateway
