// A full disk: the data directory lives on a small tmpfs that the test fills up. Inbound
// webhooks must then get 503 (so the provider redelivers) and be stored nowhere,
// /readyz must turn 503 while /healthz keeps answering, and once space returns the
// server recovers by itself: readiness comes back and the redelivered message is
// stored exactly once. Mounting needs root (CI runs as root); elsewhere the test says
// that it did not run.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "clients.hpp"
#include "database_probe.hpp"
#include "fake_provider.hpp"
#include "provider_payloads.hpp"
#include "server_process.hpp"

using namespace buurtlijn::testing;
using namespace std::chrono_literals;

namespace {

// A tmpfs of `megabytes` mounted at `path` for the lifetime of the object.
class SmallDisk {
 public:
  SmallDisk(std::filesystem::path path, int megabytes) : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
    const std::string options = "size=" + std::to_string(megabytes) + "m,mode=0700";
    mounted_ = ::mount("buurtlijn-test", path_.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;
  bool mounted() const { return mounted_; }

  // Writes a filler file until the disk is full; returns its size.
  std::uintmax_t fill() const {
    std::ofstream filler(path_ / "filler", std::ios::binary);
    const std::vector<char> block(64 * 1024, 'x');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
      filler.flush();
      if (!filler) break;
    }
    filler.close();
    // Top up the last partial block, byte by byte is too slow; 4 KiB steps suffice.
    std::ofstream rest(path_ / "filler-rest", std::ios::binary);
    const std::vector<char> small(4096, 'x');
    while (rest.write(small.data(), static_cast<std::streamsize>(small.size()))) {
      rest.flush();
      if (!rest) break;
    }
    return std::filesystem::file_size(path_ / "filler");
  }
  void free_space() const {
    std::filesystem::remove(path_ / "filler");
    std::filesystem::remove(path_ / "filler-rest");
  }

 private:
  std::filesystem::path path_;
  bool mounted_ = false;
};

bool wait_status(std::uint16_t port, const std::string& target, unsigned status,
                 std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (http_get(port, target).status == status) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

}  // namespace

TEST_CASE("a full disk: webhooks get 503 and store nothing, readiness fails, then recovers") {
  TempDir dir;
  SmallDisk disk(dir.path() / "disk", 16);
  if (!disk.mounted()) {
    MESSAGE("not run: mounting a tmpfs needs root (CI runs as root)");
    return;
  }
  const std::filesystem::path data = dir.path() / "disk" / "data";
  FakeProvider fake;
  ServerProcess server(data, {}, provider::channel_environment(fake.base_url()));
  const auto inbound = [&] {
    return count_rows(data, "SELECT count(*) FROM messages WHERE direction = 'in'");
  };

  const std::string first = provider::telegram_text(501, 88001, "Cum mă înregistrez?");
  REQUIRE(provider::post_telegram(server.port(), first).status == 200);
  REQUIRE(inbound() == 1);

  disk.fill();
  const std::string during = provider::telegram_text(502, 88002, "Unde primesc milieupas?");
  const std::string signed_body = provider::whatsapp_text("40712000001", "wamid.full-1", "Salut");
  // Small writes may still fit in pages the database file already has; the heartbeat
  // behind /readyz grows the file, so it fails first and says so.
  CHECK(wait_status(server.port(), "/readyz", 503, 10s));
  CHECK(http_get(server.port(), "/healthz").status == 200);
  unsigned telegram_status = 0;
  unsigned whatsapp_status = 0;
  for (int i = 0; i < 20; ++i) {  // a busy writer may need a moment to hit the wall
    telegram_status = provider::post_telegram(server.port(), during).status;
    whatsapp_status = provider::post_whatsapp(server.port(), signed_body).status;
    if (telegram_status == 503 && whatsapp_status == 503) break;
    std::this_thread::sleep_for(100ms);
  }
  CHECK(telegram_status == 503);
  CHECK(whatsapp_status == 503);

  disk.free_space();
  CHECK(wait_status(server.port(), "/readyz", 200, 15s));
  // The providers redeliver what got 503; now it is stored, once each.
  CHECK(provider::post_telegram(server.port(), during).status == 200);
  CHECK(provider::post_whatsapp(server.port(), signed_body).status == 200);
  CHECK(provider::post_telegram(server.port(), during).status == 200);
  CHECK(count_rows(data,
                   "SELECT count(*) FROM messages WHERE direction = 'in' AND channel_message_id IN "
                   "('502', 'wamid.full-1')") == 2);
  CHECK(inbound() == 3);
  CHECK(server.stop(SIGTERM) == 0);
}
