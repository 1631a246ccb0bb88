// See photo_files.hpp.
#include "gateway/photo_files.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

namespace buurtlijn::gateway {
namespace {

std::string errno_text() {
  return std::error_code(errno, std::generic_category()).message();
}

}  // namespace

std::filesystem::path photos_dir(const std::string& data_dir) {
  return std::filesystem::path(data_dir) / "photos";
}

bool is_photo_id(std::string_view id) {
  if (id.size() != 32) return false;
  for (const char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<std::string> stored_photo_id(std::string_view photo_ref) {
  if (photo_ref.substr(0, kStoredPhotoPrefix.size()) != kStoredPhotoPrefix) return std::nullopt;
  const std::string_view id = photo_ref.substr(kStoredPhotoPrefix.size());
  if (!is_photo_id(id)) return std::nullopt;
  return std::string(id);
}

tl::expected<std::string, std::string> write_photo(const std::filesystem::path& dir,
                                                   std::string_view bytes) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return tl::unexpected("cannot create the photo folder: " + error.message());
  ::chmod(dir.c_str(), 0700);
  std::array<unsigned char, 16> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return tl::unexpected(std::string("no random bytes for a photo name"));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (const unsigned char byte : random) {
    id.push_back(kHex[byte >> 4]);
    id.push_back(kHex[byte & 0x0F]);
  }
  const std::filesystem::path path = dir / id;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return tl::unexpected("cannot create a photo file: " + errno_text());
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = errno_text();
      ::close(fd);
      ::unlink(path.c_str());
      return tl::unexpected("cannot write a photo file: " + reason);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(path.c_str());
    return tl::unexpected("cannot sync a photo file: " + errno_text());
  }
  return id;
}

std::optional<std::string> read_photo(const std::filesystem::path& dir, std::string_view id) {
  if (!is_photo_id(id)) return std::nullopt;
  std::ifstream in(dir / std::string(id), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

bool delete_photo(const std::filesystem::path& dir, std::string_view id) {
  if (!is_photo_id(id)) return false;
  std::error_code error;
  return std::filesystem::remove(dir / std::string(id), error);
}

std::int64_t sweep_photos(const std::filesystem::path& dir,
                          const std::vector<std::string>& referenced,
                          std::chrono::seconds min_age) {
  const std::set<std::string, std::less<>> wanted(referenced.begin(), referenced.end());
  std::error_code error;
  std::filesystem::directory_iterator it(dir, error);
  if (error) return 0;  // no folder: no photos
  const auto now = std::filesystem::file_time_type::clock::now();
  std::int64_t deleted = 0;
  for (const auto& entry : it) {
    const std::string name = entry.path().filename().string();
    if (!is_photo_id(name) || wanted.count(name) != 0) continue;
    const auto changed = entry.last_write_time(error);
    if (error || now - changed < min_age) continue;
    if (std::filesystem::remove(entry.path(), error)) ++deleted;
  }
  return deleted;
}

}  // namespace buurtlijn::gateway
