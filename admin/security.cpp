// See security.hpp.
#include "admin/security.hpp"

#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace buurtlijn::admin {
namespace {
void ensure_sodium() {
  static const int ready = sodium_init();
  if (ready < 0) throw std::runtime_error("libsodium could not be initialised");
}
}  // namespace

tl::expected<std::string, std::string> hash_password(std::string_view password) {
  ensure_sodium();
  std::string out(crypto_pwhash_STRBYTES, '\0');
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return tl::unexpected(std::string("out of memory while hashing the password"));
  }
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

std::string_view dummy_password_hash() {
  return "$argon2id$v=19$m=65536,t=2,p=1$cCucVsVgNt1P01o1OjZwOQ$"
         "vUY275NEo31kdiA4ed5J0IA/9PG5CpylwsA4RzhdbOM";
}

std::string password_problem(std::string_view password) {
  std::size_t code_points = 0;
  for (const char c : password) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++code_points;
  }
  if (code_points < 12) return "the password must have at least 12 characters";
  if (password.size() > 1024) return "the password is too long (1024 bytes at most)";
  return {};
}

std::string random_token(std::size_t bytes) {
  ensure_sodium();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_encoded_len(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string sha256_hex(std::string_view text) {
  ensure_sodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool same_token(std::string_view a, std::string_view b) {
  ensure_sodium();
  if (a.size() != b.size() || a.empty()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool is_role(std::string_view role) {
  return role == "buurtmaker" || role == "enforcement" || role == "coordinator";
}

bool role_allows(std::string_view role, Permission permission) {
  if (role == "coordinator") return true;
  if (role == "buurtmaker") {
    return permission == Permission::content || permission == Permission::inbox ||
           permission == Permission::broadcasts;
  }
  if (role == "enforcement") return permission == Permission::cases;
  return false;
}

Millis LoginThrottle::remaining(const std::map<std::string, Window, std::less<>>& windows,
                                std::string_view key, int limit, Millis window_ms, Millis now) {
  const auto found = windows.find(key);
  if (found == windows.end() || found->second.failures < limit) return 0;
  const Millis ends = found->second.started + window_ms;
  return ends > now ? ends - now : 0;
}

Millis LoginThrottle::wait(std::string_view account, std::string_view address, Millis now) {
  const std::lock_guard lock(mutex_);
  return std::max(remaining(accounts_, account, limits_.max_per_account, limits_.window_ms, now),
                  remaining(addresses_, address, limits_.max_per_address, limits_.window_ms, now));
}

void LoginThrottle::failed(std::string_view account, std::string_view address, Millis now) {
  const std::lock_guard lock(mutex_);
  prune(now);
  for (auto* windows : {&accounts_, &addresses_}) {
    const std::string_view key = windows == &accounts_ ? account : address;
    auto [entry, inserted] = windows->try_emplace(std::string(key), Window{now, 0});
    if (!inserted && entry->second.started + limits_.window_ms <= now) entry->second = {now, 0};
    ++entry->second.failures;
  }
}

void LoginThrottle::succeeded(std::string_view account) {
  const std::lock_guard lock(mutex_);
  const auto found = accounts_.find(account);
  if (found != accounts_.end()) accounts_.erase(found);
}

void LoginThrottle::prune(Millis now) {
  // Bounded memory under a flood of names or addresses: windows that ended are dropped.
  constexpr std::size_t kPruneAbove = 10000;
  for (auto* windows : {&accounts_, &addresses_}) {
    if (windows->size() < kPruneAbove) continue;
    for (auto it = windows->begin(); it != windows->end();) {
      it = it->second.started + limits_.window_ms <= now ? windows->erase(it) : std::next(it);
    }
  }
}

bool session_alive(Millis created_at, Millis last_seen_at, Millis expires_at, Millis now,
                   const SessionPolicy& policy) {
  if (now >= expires_at) return false;
  if (now - created_at >= policy.absolute_ms) return false;
  return now - last_seen_at < policy.idle_ms;
}

}  // namespace buurtlijn::admin
