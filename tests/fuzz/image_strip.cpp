// Report photos: the fuzzed bytes are a photo as a provider might serve it. The stripper
// must never crash, must refuse or return an image of the type the magic bytes say, and
// what it returns must itself pass again unchanged (stripping is idempotent) and never
// be larger than what came in, plus at most the pad byte a WebP may gain.
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.hpp"
#include "connectors/media/image.hpp"

// libFuzzer names the entry point.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  using namespace buurtlijn::connectors::media;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto cleaned = clean_image(bytes, 1 << 20);
  if (!cleaned) {
    FUZZ_CHECK(!cleaned.error().reason.empty());
    if (cleaned.error().kind == ImageError::Kind::not_an_image) FUZZ_CHECK(!sniff(bytes));
    return 0;
  }
  FUZZ_CHECK(sniff(bytes) == cleaned->type);
  FUZZ_CHECK(sniff(cleaned->bytes) == cleaned->type);
  FUZZ_CHECK(cleaned->width > 0 && cleaned->height > 0);
  FUZZ_CHECK(cleaned->bytes.size() <= bytes.size() + 1);
  const auto again = clean_image(cleaned->bytes, 1 << 20);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->bytes == cleaned->bytes);
  return 0;
}
