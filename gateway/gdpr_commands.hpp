// `buurtlijn gdpr export|erase|find`: a person's rights for the coordinator (AVG
// articles 15 and 17). export prints everything stored about a subject as one JSON
// document; erase removes it (the facts of their reports stay, anonymised); find
// computes the pseudonym of a channel + address with the server's key. export and
// erase are written to the audit log (actor "cli"), without message text.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace buurtlijn::gateway {

// Exit codes: 0 done, 1 refused or no such subject (reason on stderr), 2 bad usage or
// configuration.
int gdpr_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace buurtlijn::gateway
