// The console's access rules as pure functions and small thread-safe objects: Argon2id
// password hashes (libsodium), random tokens and their hashes, the login throttle and the
// session expiry rule. No I/O apart from the OS random generator; time is passed in.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace buurtlijn::admin {

using Millis = std::int64_t;

// An Argon2id hash in the PHC string format ("$argon2id$v=19$m=65536,t=2,p=1$..."), with
// libsodium's interactive limits. Fails only when memory runs out.
tl::expected<std::string, std::string> hash_password(std::string_view password);
// True when `password` matches `hash` (constant time); false for a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);

// An Argon2id hash, with the parameters hash_password uses, of a random password that was
// thrown away: a login with an unknown name is verified against it, so that it takes as
// long as a wrong password. Fixed rather than made at start, which would cost every start
// one hash (about 60 ms and 64 MB).
std::string_view dummy_password_hash();
// Why a new password is refused ("" when it is fine): at least 12 characters.
std::string password_problem(std::string_view password);

// `bytes` random bytes from the OS generator, as unpadded base64url.
std::string random_token(std::size_t bytes);
// Lowercase hex SHA-256: how a session id is stored.
std::string sha256_hex(std::string_view text);
// Constant-time comparison of two tokens.
bool same_token(std::string_view a, std::string_view b);

// Roles and what they may do. The restricted team (exploitation) is a team, not a role.
enum class Permission { content, inbox, cases, broadcasts, dashboard, users, audit };
bool role_allows(std::string_view role, Permission permission);
bool is_role(std::string_view role);

// Failed logins counted per account and per client address in a sliding window. After
// `max_per_account` failures for one name (or `max_per_address` from one address) a
// login is refused until the window has passed, whatever the password. Thread-safe.
class LoginThrottle {
 public:
  struct Limits {
    int max_per_account = 5;
    int max_per_address = 20;
    Millis window_ms = 15 * 60 * 1000;
  };
  LoginThrottle() : LoginThrottle(Limits{}) {}
  explicit LoginThrottle(Limits limits) : limits_(limits) {}

  // Milliseconds to wait before the next attempt; 0 when one may try now.
  Millis wait(std::string_view account, std::string_view address, Millis now);
  void failed(std::string_view account, std::string_view address, Millis now);
  // A correct password clears the account's count (not the address's).
  void succeeded(std::string_view account);

 private:
  struct Window {
    Millis started = 0;
    int failures = 0;
  };
  static Millis remaining(const std::map<std::string, Window, std::less<>>& windows,
                          std::string_view key, int limit, Millis window_ms, Millis now);
  void prune(Millis now);

  const Limits limits_;
  std::mutex mutex_;
  std::map<std::string, Window, std::less<>> accounts_;
  std::map<std::string, Window, std::less<>> addresses_;
};

// Sessions end after `idle_ms` without a request or `absolute_ms` after login.
struct SessionPolicy {
  Millis idle_ms = 30 * 60 * 1000;
  Millis absolute_ms = 12 * 60 * 60 * 1000;
  Millis touch_every_ms = 60 * 1000;  // how often last_seen_at is written
};
bool session_alive(Millis created_at, Millis last_seen_at, Millis expires_at, Millis now,
                   const SessionPolicy& policy);

}  // namespace buurtlijn::admin
