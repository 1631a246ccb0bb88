// Subject pseudonyms: a keyed hash (HMAC-SHA256) of channel + address, so the database
// never keys anything on a phone number, chat id or web chat token, and nobody without
// the key (kept outside the database) can link a pseudonym back to a person.
// Thread-safe: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace buurtlijn::gateway {

class Pseudonymizer {
 public:
  explicit Pseudonymizer(std::string key);
  // 32 lowercase hex characters (128 bits): enough to never collide in practice.
  std::string pseudonym(std::string_view channel, std::string_view address) const;

 private:
  std::string key_;
};

// The key from the configuration when set, else the key file under the data directory,
// created with mode 0600 and 32 random bytes on first start. Refuses a key file that
// group or others can read.
tl::expected<std::string, std::string> load_or_create_pseudonym_key(
    const std::string& configured_key, const std::string& data_dir);

// `bytes` random bytes from the operating system's CSPRNG, base64url without padding.
std::string random_token(std::size_t bytes);

// Constant-time comparison for secrets.
bool secrets_equal(std::string_view a, std::string_view b);

}  // namespace buurtlijn::gateway
