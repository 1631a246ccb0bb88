// The console's access rules: Argon2id hashes, tokens, roles, the login throttle and the
// session expiry rule.
#include "admin/security.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <set>
#include <string>

namespace buurtlijn::admin {
namespace {

TEST_CASE("admin: passwords are stored as Argon2id hashes that verify only the same password") {
  auto hash = hash_password("correct horse battery staple");
  REQUIRE(hash);
  CHECK(hash->rfind("$argon2id$", 0) == 0);
  CHECK(hash->find("correct") == std::string::npos);
  CHECK(verify_password(*hash, "correct horse battery staple"));
  CHECK_FALSE(verify_password(*hash, "correct horse battery stapl"));
  CHECK_FALSE(verify_password(*hash, ""));
  CHECK_FALSE(verify_password("", "correct horse battery staple"));
  CHECK_FALSE(verify_password("$argon2id$garbage", "correct horse battery staple"));
  // Salted: the same password hashes differently each time.
  auto again = hash_password("correct horse battery staple");
  REQUIRE(again);
  CHECK(*again != *hash);
}

TEST_CASE("admin: the dummy hash for unknown names costs what a real hash costs") {
  // Same algorithm and parameters as hash_password's: verifying against it takes as long
  // as verifying a wrong password of a real account.
  const std::string dummy(dummy_password_hash());
  auto real = hash_password("another password of twelve");
  REQUIRE(real);
  CHECK(dummy.substr(0, dummy.find('$', 20)) == real->substr(0, real->find('$', 20)));
  CHECK(crypto_pwhash_str_needs_rehash(dummy.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0);
  CHECK_FALSE(verify_password(dummy, ""));
  CHECK_FALSE(verify_password(dummy, "correct horse battery staple"));
}

TEST_CASE("admin: a new password needs 12 characters (code points, not bytes)") {
  CHECK_FALSE(password_problem("kort").empty());
  CHECK_FALSE(password_problem("ééééééééééé").empty());  // 11 characters, 22 bytes
  CHECK(password_problem("éééééééééééé").empty());
  CHECK(password_problem("twaalf tekens").empty());
  CHECK_FALSE(password_problem(std::string(2000, 'a')).empty());
}

TEST_CASE("admin: tokens are random base64url and sessions are stored by their SHA-256") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = random_token(32);
    CHECK(token.size() == 43);
    CHECK(token.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    seen.insert(token);
  }
  CHECK(seen.size() == 100);
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(same_token("abc", "abc"));
  CHECK_FALSE(same_token("abc", "abd"));
  CHECK_FALSE(same_token("abc", "abcd"));
  CHECK_FALSE(same_token("", ""));  // an empty token never matches
}

TEST_CASE("admin: roles and what they may do") {
  CHECK(role_allows("coordinator", Permission::audit));
  CHECK(role_allows("coordinator", Permission::users));
  CHECK(role_allows("buurtmaker", Permission::content));
  CHECK(role_allows("buurtmaker", Permission::inbox));
  CHECK_FALSE(role_allows("buurtmaker", Permission::audit));
  CHECK_FALSE(role_allows("buurtmaker", Permission::cases));
  CHECK(role_allows("enforcement", Permission::cases));
  CHECK_FALSE(role_allows("enforcement", Permission::content));
  CHECK_FALSE(role_allows("enforcement", Permission::inbox));
  CHECK_FALSE(role_allows("admin", Permission::content));
  CHECK(is_role("buurtmaker"));
  CHECK_FALSE(is_role("root"));
}

TEST_CASE("admin: the login throttle counts failures per account and per address") {
  LoginThrottle::Limits limits;
  limits.max_per_account = 3;
  limits.max_per_address = 5;
  limits.window_ms = 60'000;
  LoginThrottle throttle(limits);
  const Millis t0 = 1'000'000;

  SUBCASE("an account is locked after its failures, from any address, until the window ends") {
    for (int i = 0; i < 3; ++i) {
      CHECK(throttle.wait("anna", "10.0.0." + std::to_string(i), t0 + i) == 0);
      throttle.failed("anna", "10.0.0." + std::to_string(i), t0 + i);
    }
    CHECK(throttle.wait("anna", "10.0.0.9", t0 + 10) == 60'000 - 10);
    CHECK(throttle.wait("bob", "10.0.0.9", t0 + 10) == 0);  // others are not locked
    CHECK(throttle.wait("anna", "10.0.0.9", t0 + 60'000) == 0);
  }
  SUBCASE("an address is locked after failures on many names") {
    for (int i = 0; i < 5; ++i) throttle.failed("user" + std::to_string(i), "192.0.2.7", t0);
    CHECK(throttle.wait("someone-else", "192.0.2.7", t0 + 1) > 0);
    CHECK(throttle.wait("someone-else", "192.0.2.8", t0 + 1) == 0);
  }
  SUBCASE("a correct password clears the account's count") {
    throttle.failed("anna", "10.0.0.1", t0);
    throttle.failed("anna", "10.0.0.1", t0);
    throttle.succeeded("anna");
    throttle.failed("anna", "10.0.0.1", t0);
    throttle.failed("anna", "10.0.0.1", t0);
    CHECK(throttle.wait("anna", "10.0.0.1", t0) == 0);
  }
}

TEST_CASE("admin: a session ends when idle too long or at its absolute expiry") {
  SessionPolicy policy;
  policy.idle_ms = 1000;
  policy.absolute_ms = 5000;
  CHECK(session_alive(0, 0, 5000, 999, policy));
  CHECK_FALSE(session_alive(0, 0, 5000, 1000, policy));       // idle
  CHECK(session_alive(0, 4000, 5000, 4500, policy));          // kept alive by use
  CHECK_FALSE(session_alive(0, 4900, 5000, 5000, policy));    // absolute
  CHECK_FALSE(session_alive(0, 4900, 99'999, 5000, policy));  // absolute, even if stored later
}

}  // namespace
}  // namespace buurtlijn::admin
