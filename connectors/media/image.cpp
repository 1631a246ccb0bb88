// See image.hpp. Each format is walked with explicit bounds checks on every length it
// reads; the output is assembled from copies of the parts that are kept.
#include "connectors/media/image.hpp"

#include <array>
#include <boost/crc.hpp>

namespace buurtlijn::connectors::media {
namespace {

using Result = tl::expected<CleanImage, ImageError>;

tl::unexpected<ImageError> corrupt(std::string reason) {
  return tl::unexpected(ImageError{ImageError::Kind::corrupt, std::move(reason)});
}

std::uint8_t byte_at(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint8_t>(bytes[at]);
}

std::uint32_t big16(std::string_view bytes, std::size_t at) {
  return (std::uint32_t{byte_at(bytes, at)} << 8) | byte_at(bytes, at + 1);
}

std::uint32_t big32(std::string_view bytes, std::size_t at) {
  return (big16(bytes, at) << 16) | big16(bytes, at + 2);
}

std::uint32_t little16(std::string_view bytes, std::size_t at) {
  return std::uint32_t{byte_at(bytes, at)} | (std::uint32_t{byte_at(bytes, at + 1)} << 8);
}

std::uint32_t little24(std::string_view bytes, std::size_t at) {
  return std::uint32_t{byte_at(bytes, at)} | (std::uint32_t{byte_at(bytes, at + 1)} << 8) |
         (std::uint32_t{byte_at(bytes, at + 2)} << 16);
}

std::uint32_t little32(std::string_view bytes, std::size_t at) {
  return little24(bytes, at) | (std::uint32_t{byte_at(bytes, at + 3)} << 24);
}

void put_little32(std::string& out, std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

tl::expected<void, ImageError> check_dimensions(std::uint64_t width, std::uint64_t height) {
  if (width == 0 || height == 0) return corrupt("the image has no pixels");
  if (width * height > kMaxPixels) {
    return tl::unexpected(
        ImageError{ImageError::Kind::too_large,
                   "the image has more than " + std::to_string(kMaxPixels) + " pixels"});
  }
  return {};
}

// --- JPEG ---

bool is_frame_marker(std::uint8_t marker) {
  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

bool keep_app_segment(std::uint8_t marker, std::string_view payload) {
  if (marker == 0xE0) {
    return payload.substr(0, 5) == std::string_view("JFIF\0", 5) ||
           payload.substr(0, 5) == std::string_view("JFXX\0", 5);
  }
  if (marker == 0xEE) return payload.substr(0, 5) == "Adobe";
  return false;
}

// The end of the entropy-coded data that starts at `at`: the position of the next marker
// that is neither a stuffed 0xFF00 nor a restart marker.
std::optional<std::size_t> end_of_scan(std::string_view bytes, std::size_t at) {
  while (at + 1 < bytes.size()) {
    if (byte_at(bytes, at) != 0xFF) {
      ++at;
      continue;
    }
    const std::uint8_t next = byte_at(bytes, at + 1);
    if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
      at += 2;
    } else if (next == 0xFF) {
      ++at;  // fill byte
    } else {
      return at;
    }
  }
  return std::nullopt;
}

Result clean_jpeg(std::string_view bytes) {
  CleanImage image;
  image.type = ImageType::jpeg;
  std::string& out = image.bytes;
  out.reserve(bytes.size());
  out.append("\xFF\xD8", 2);
  std::size_t at = 2;
  bool have_frame = false;
  bool in_scans = false;
  for (;;) {
    if (at >= bytes.size()) return corrupt("JPEG: ends without EOI");
    if (byte_at(bytes, at) != 0xFF) return corrupt("JPEG: a segment does not start with 0xFF");
    while (at < bytes.size() && byte_at(bytes, at) == 0xFF) ++at;  // fill bytes
    if (at >= bytes.size()) return corrupt("JPEG: ends in fill bytes");
    const std::uint8_t marker = byte_at(bytes, at);
    ++at;
    if (marker == 0xD9) {  // EOI
      if (!in_scans) return corrupt("JPEG: EOI before any scan");
      out.append("\xFF\xD9", 2);
      break;
    }
    if (marker == 0x00 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      return corrupt("JPEG: unexpected marker outside a scan");
    }
    if (at + 2 > bytes.size()) return corrupt("JPEG: truncated segment length");
    const std::size_t length = big16(bytes, at);
    if (length < 2 || at + length > bytes.size()) return corrupt("JPEG: segment runs past the end");
    const std::string_view segment = bytes.substr(at - 2, length + 2);  // marker + length + data
    const std::string_view payload = bytes.substr(at + 2, length - 2);
    at += length;
    if ((marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE) {
      if (keep_app_segment(marker, payload)) out.append(segment);
      continue;
    }
    if (is_frame_marker(marker)) {
      if (have_frame) return corrupt("JPEG: a second frame header");
      if (payload.size() < 6) return corrupt("JPEG: frame header too short");
      const std::uint32_t height = big16(payload, 1);
      const std::uint32_t width = big16(payload, 3);
      const std::size_t components = byte_at(payload, 5);
      if (components == 0 || payload.size() != 6 + 3 * components) {
        return corrupt("JPEG: frame header does not match its components");
      }
      // A height of 0 means "defined by DNL later": refused, as most decoders do.
      if (auto ok = check_dimensions(width, height); !ok) return tl::unexpected(ok.error());
      image.width = width;
      image.height = height;
      have_frame = true;
      out.append(segment);
      continue;
    }
    if (marker == 0xDA) {  // SOS, then entropy-coded data up to the next marker
      if (!have_frame) return corrupt("JPEG: a scan before the frame header");
      if (payload.empty() || payload.size() != 4 + 2 * std::size_t{byte_at(payload, 0)}) {
        return corrupt("JPEG: scan header does not match its components");
      }
      const auto end = end_of_scan(bytes, at);
      if (!end) return corrupt("JPEG: scan data runs past the end");
      out.append(segment);
      out.append(bytes.substr(at, *end - at));
      at = *end;
      in_scans = true;
      continue;
    }
    out.append(segment);  // DQT, DHT, DRI, DAC, DNL, EXP, JPG and reserved markers
  }
  if (!have_frame) return corrupt("JPEG: no frame header");
  return image;
}

// --- PNG ---

constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

bool keep_png_ancillary(std::string_view type) {
  static constexpr std::array<std::string_view, 13> kKept{"tRNS", "gAMA", "cHRM", "sRGB", "iCCP",
                                                          "sBIT", "pHYs", "bKGD", "hIST", "cICP",
                                                          "acTL", "fcTL", "fdAT"};
  for (const std::string_view kept : kKept) {
    if (type == kept) return true;
  }
  return false;
}

bool is_chunk_type(std::string_view type) {
  for (const char c : type) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

Result clean_png(std::string_view bytes) {
  CleanImage image;
  image.type = ImageType::png;
  std::string& out = image.bytes;
  out.reserve(bytes.size());
  out.append(kPngSignature);
  std::size_t at = kPngSignature.size();
  bool first = true;
  bool have_data = false;
  for (;;) {
    if (at + 12 > bytes.size()) return corrupt("PNG: ends without IEND");
    const std::uint32_t length = big32(bytes, at);
    if (length > 0x7FFFFFFFU || bytes.size() - at - 12 < length) {
      return corrupt("PNG: chunk runs past the end");
    }
    const std::string_view type = bytes.substr(at + 4, 4);
    const std::string_view data = bytes.substr(at + 8, length);
    const std::string_view chunk = bytes.substr(at, std::size_t{length} + 12);
    if (!is_chunk_type(type)) return corrupt("PNG: a chunk type is not four letters");
    boost::crc_32_type crc;
    crc.process_bytes(bytes.data() + at + 4, std::size_t{length} + 4);
    if (crc.checksum() != big32(bytes, at + 8 + length)) return corrupt("PNG: chunk CRC mismatch");
    at += std::size_t{length} + 12;
    if (first) {
      if (type != "IHDR" || length != 13) return corrupt("PNG: IHDR is not the first chunk");
      if (auto ok = check_dimensions(big32(data, 0), big32(data, 4)); !ok) {
        return tl::unexpected(ok.error());
      }
      image.width = big32(data, 0);
      image.height = big32(data, 4);
      first = false;
      out.append(chunk);
      continue;
    }
    if (type == "IHDR") return corrupt("PNG: a second IHDR");
    if (type == "IEND") {
      if (!have_data) return corrupt("PNG: no IDAT before IEND");
      out.append(chunk);
      break;  // anything after IEND is dropped
    }
    if (type == "IDAT") {
      have_data = true;
      out.append(chunk);
      continue;
    }
    const bool critical = type[0] >= 'A' && type[0] <= 'Z';
    if (critical) {
      if (type != "PLTE") return corrupt("PNG: unknown critical chunk");
      out.append(chunk);
      continue;
    }
    if (keep_png_ancillary(type)) out.append(chunk);
  }
  return image;
}

// --- WebP ---

constexpr std::uint8_t kVp8xIccFlag = 0x20;
constexpr std::uint8_t kVp8xExifFlag = 0x08;
constexpr std::uint8_t kVp8xXmpFlag = 0x04;

Result clean_webp(std::string_view bytes) {
  CleanImage image;
  image.type = ImageType::webp;
  if (bytes.size() < 12) return corrupt("WebP: shorter than its header");
  const std::uint32_t riff_size = little32(bytes, 4);
  if (riff_size < 4 || riff_size > bytes.size() - 8) return corrupt("WebP: RIFF size past the end");
  const std::string_view body = bytes.substr(12, riff_size - 4);  // chunks; trailer dropped
  std::string chunks;
  std::size_t vp8x_at = std::string::npos;  // offset of the VP8X flags byte in `chunks`
  bool have_image = false;
  bool have_icc = false;
  std::size_t at = 0;
  bool first = true;
  while (at < body.size()) {
    if (body.size() - at < 8) return corrupt("WebP: truncated chunk header");
    const std::string_view fourcc = body.substr(at, 4);
    const std::uint32_t size = little32(body, at + 4);
    const std::size_t padded = std::size_t{size} + (size & 1U);
    if (body.size() - at - 8 < size) return corrupt("WebP: chunk runs past the end");
    const std::string_view data = body.substr(at + 8, size);
    const std::string_view chunk = body.substr(at, std::min(body.size() - at, padded + 8));
    at += std::min(body.size() - at, padded + 8);
    if (first) {
      first = false;
      if (fourcc == "VP8X") {
        if (size < 10) return corrupt("WebP: VP8X too short");
        const std::uint64_t width = std::uint64_t{little24(data, 4)} + 1;
        const std::uint64_t height = std::uint64_t{little24(data, 7)} + 1;
        if (auto ok = check_dimensions(width, height); !ok) return tl::unexpected(ok.error());
        image.width = static_cast<std::uint32_t>(width);
        image.height = static_cast<std::uint32_t>(height);
        vp8x_at = chunks.size() + 8;
        chunks.append(chunk);
        continue;
      }
      if (fourcc != "VP8 " && fourcc != "VP8L") return corrupt("WebP: no image chunk first");
    }
    if (fourcc == "VP8 ") {
      // Frame tag (3 bytes), start code 9d 01 2a, 14-bit width and height.
      if (size < 10 || data.substr(3, 3) != "\x9d\x01\x2a") return corrupt("WebP: bad VP8 header");
      if (vp8x_at == std::string::npos) {
        const std::uint32_t width = little16(data, 6) & 0x3FFF;
        const std::uint32_t height = little16(data, 8) & 0x3FFF;
        if (auto ok = check_dimensions(width, height); !ok) return tl::unexpected(ok.error());
        image.width = width;
        image.height = height;
      }
      have_image = true;
    } else if (fourcc == "VP8L") {
      if (size < 5 || byte_at(data, 0) != 0x2F) return corrupt("WebP: bad VP8L header");
      if (vp8x_at == std::string::npos) {
        const std::uint32_t bits = little32(data, 1);
        const std::uint32_t width = (bits & 0x3FFF) + 1;
        const std::uint32_t height = ((bits >> 14) & 0x3FFF) + 1;
        if (auto ok = check_dimensions(width, height); !ok) return tl::unexpected(ok.error());
        image.width = width;
        image.height = height;
      }
      have_image = true;
    } else if (fourcc == "ANMF") {
      have_image = true;
    } else if (fourcc == "ICCP") {
      have_icc = true;
    } else if (fourcc == "VP8X") {
      return corrupt("WebP: VP8X not first");
    } else if (fourcc != "ALPH" && fourcc != "ANIM") {
      continue;  // EXIF, XMP and unknown chunks are dropped
    }
    chunks.append(chunk);
  }
  if (!have_image) return corrupt("WebP: no image data");
  if (chunks.size() % 2 != 0) chunks.push_back('\0');  // a last chunk without its pad byte
  if (vp8x_at != std::string::npos) {
    auto flags = static_cast<std::uint8_t>(chunks[vp8x_at]);
    flags &= static_cast<std::uint8_t>(~(kVp8xExifFlag | kVp8xXmpFlag));
    if (!have_icc) flags &= static_cast<std::uint8_t>(~kVp8xIccFlag);
    chunks[vp8x_at] = static_cast<char>(flags);
  }
  image.bytes.reserve(chunks.size() + 12);
  image.bytes.append("RIFF");
  put_little32(image.bytes, static_cast<std::uint32_t>(chunks.size() + 4));
  image.bytes.append("WEBP");
  image.bytes.append(chunks);
  return image;
}

}  // namespace

std::string_view mime_type(ImageType type) {
  switch (type) {
    case ImageType::jpeg:
      return "image/jpeg";
    case ImageType::png:
      return "image/png";
    case ImageType::webp:
      return "image/webp";
  }
  return "application/octet-stream";
}

std::string_view to_string(ImageError::Kind kind) {
  switch (kind) {
    case ImageError::Kind::too_large:
      return "too_large";
    case ImageError::Kind::not_an_image:
      return "not_an_image";
    case ImageError::Kind::corrupt:
      return "corrupt";
  }
  return "corrupt";
}

std::optional<ImageType> sniff(std::string_view bytes) {
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xFF\xD8\xFF") return ImageType::jpeg;
  if (bytes.substr(0, kPngSignature.size()) == kPngSignature) return ImageType::png;
  if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WEBP") {
    return ImageType::webp;
  }
  return std::nullopt;
}

tl::expected<CleanImage, ImageError> clean_image(std::string_view bytes, std::size_t max_bytes) {
  if (bytes.size() > max_bytes) {
    return tl::unexpected(ImageError{ImageError::Kind::too_large,
                                     "more than " + std::to_string(max_bytes) + " bytes"});
  }
  const auto type = sniff(bytes);
  if (!type) {
    return tl::unexpected(
        ImageError{ImageError::Kind::not_an_image, "not a JPEG, PNG or WebP by its first bytes"});
  }
  switch (*type) {
    case ImageType::jpeg:
      return clean_jpeg(bytes);
    case ImageType::png:
      return clean_png(bytes);
    case ImageType::webp:
      return clean_webp(bytes);
  }
  return corrupt("unknown type");
}

}  // namespace buurtlijn::connectors::media
