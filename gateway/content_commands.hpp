// `buurtlijn classify` and `buurtlijn content check`: the command-line faces of
// dialogs::classify() and dialogs::check_content(). Boundary code: reads stdin and the
// locales directory, writes stdout/stderr. Not meant to run concurrently with itself.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace buurtlijn::gateway {

// `buurtlijn classify [--config FILE] [--data-dir DIR] [--locales DIR]`: one message per
// line on `in`, one JSON object per line on `out`. Returns the exit code.
int classify_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out);

// `buurtlijn content check [--locales DIR]`: problems one per line and a coverage table on
// `out`; exit code 1 when there is any problem.
int content_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace buurtlijn::gateway
