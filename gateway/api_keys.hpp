// Keys of the notification API. A key is 32 random bytes (256 bits, OpenSSL's CSPRNG)
// written as "blk_" + 64 hex digits and shown once; only its SHA-256 is stored. A fast
// unsalted hash is enough here because the key is uniformly random: nobody can guess
// 2^256 candidates, so the slow, salted hashes that protect human passwords add nothing,
// and verifying a request stays one hash. Comparison is constant-time (CRYPTO_memcmp)
// against every valid key's hash, so the time taken says nothing about how close a
// guess was.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace buurtlijn::gateway {

std::string generate_api_key();
std::string hash_api_key(std::string_view key);  // lower-case hex SHA-256

// The id of the valid (not revoked) key whose hash matches `presented`'s.
std::optional<std::int64_t> match_api_key(std::string_view presented,
                                          const std::vector<store::ApiKeyRecord>& keys);

// `buurtlijn api-key create --name N | list | revoke --name N` (boundary: I/O).
int api_key_command(const std::vector<std::string>& args);

}  // namespace buurtlijn::gateway
