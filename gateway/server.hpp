// `buurtlijn serve`: opens the store, loads the content, listens, and runs until SIGINT or
// SIGTERM, then shuts down gracefully (stop accepting, finish in-flight requests and the
// current store batch within the deadline, close WebSockets with "going away").
#pragma once

#include "gateway/config.hpp"

namespace buurtlijn::gateway {

// Returns the process exit code: 0 after a clean shutdown, 1 when start-up failed.
int run_server(Config config);

}  // namespace buurtlijn::gateway
