// `buurtlijn areas ...` and `buurtlijn cases ...`: the command-line faces of the case
// handling for the desk and the inspectors, on the same database as a running server
// (SQLite WAL: the server's outbox worker sends the reporter updates a move queued).
// Boundary code: reads files and the database, writes stdout/stderr.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace buurtlijn::gateway {

// `buurtlijn areas import --geojson FILE [--postcodes FILE] [--config FILE] [--data-dir DIR]`
int areas_command(const std::vector<std::string>& args, std::ostream& out);

// `buurtlijn cases report|move|due|show|stats|status ...`. Exit codes: 0 done, 1 refused
// (the reason on stderr; nothing written), 2 bad usage or configuration.
int cases_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace buurtlijn::gateway
