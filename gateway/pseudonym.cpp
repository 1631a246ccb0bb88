// See pseudonym.hpp.
#include "gateway/pseudonym.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace buurtlijn::gateway {

namespace {
std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex.push_back(kDigits[bytes[i] >> 4]);
    hex.push_back(kDigits[bytes[i] & 0xf]);
  }
  return hex;
}

std::string random_bytes(std::size_t size) {
  std::string bytes(size, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size)) != 1) {
    // Without randomness no token or key is safe to hand out: this is a broken system.
    throw std::runtime_error("the operating system's random generator failed");
  }
  return bytes;
}
}  // namespace

Pseudonymizer::Pseudonymizer(std::string key) : key_(std::move(key)) {}

std::string Pseudonymizer::pseudonym(std::string_view channel, std::string_view address) const {
  std::string input;
  input.reserve(channel.size() + 1 + address.size());
  input.append(channel).push_back('\0');  // the separator keeps "a"+"bc" apart from "ab"+"c"
  input.append(address);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest, &length);
  return to_hex(digest, 16);
}

std::string random_token(std::size_t bytes) {
  const std::string raw = random_bytes(bytes);
  std::string encoded(4 * ((bytes + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(raw.data()),
                                     static_cast<int>(raw.size()));
  encoded.resize(static_cast<std::size_t>(length));
  for (char& c : encoded) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
  return encoded;
}

bool secrets_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

tl::expected<std::string, std::string> load_or_create_pseudonym_key(
    const std::string& configured_key, const std::string& data_dir) {
  if (!configured_key.empty()) return configured_key;
  namespace fs = std::filesystem;
  const fs::path directory = fs::path(data_dir) / "keys";
  const fs::path path = directory / "pseudonym.key";
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return tl::unexpected("cannot create " + directory.string() + ": " + error.message());
  ::chmod(directory.c_str(), 0700);
  if (!fs::exists(path)) {
    const std::string key = random_token(32);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) return tl::unexpected("cannot create " + path.string());
    const bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!written || !synced) return tl::unexpected("cannot write " + path.string());
    return key;
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return tl::unexpected("cannot read " + path.string());
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return tl::unexpected(path.string() + " must not be readable by group or others (chmod 600)");
  }
  std::ifstream in(path, std::ios::binary);
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (key.size() < 16) return tl::unexpected(path.string() + " holds no usable key");
  return key;
}

}  // namespace buurtlijn::gateway
