// Report photos: the type of an image is read from its bytes (magic numbers), never from
// what the provider says, and its metadata is stripped before it is stored, so that no
// GPS position, camera owner, comment or editing history of a reporter's photo is kept.
//
// Only JPEG, PNG and WebP are accepted; everything else is refused as not_an_image. The
// container of each is walked completely and rebuilt from the parts a decoder needs:
//  - JPEG: SOI, then every segment until EOI. APP0 (JFIF/JFXX) and APP14 (Adobe) are
//    kept; APP1 (EXIF, XMP), APP13 (IPTC), COM and every other APPn are dropped, also
//    between the scans of a progressive JPEG. Bytes after EOI (phone trailers) are
//    dropped. A segment running past the end, a missing frame header, a scan before the
//    frame, a missing EOI are corrupt.
//  - PNG: the signature, then chunks with their CRC-32 checked; IHDR first, at least one
//    IDAT, IEND last. Critical chunks and the ancillary chunks that affect how the pixels
//    look (tRNS, gAMA, cHRM, sRGB, iCCP, sBIT, pHYs, bKGD, hIST, cICP, and acTL/fcTL/fdAT
//    of animated PNG) are kept; eXIf, tEXt, zTXt, iTXt, tIME and every other ancillary
//    chunk are dropped. An unknown critical chunk is corrupt.
//  - WebP: the RIFF container; VP8, VP8L, VP8X, ALPH, ANIM, ANMF and ICCP chunks are
//    kept, EXIF, XMP and unknown chunks dropped, and the EXIF and XMP flags of VP8X are
//    cleared.
// The pixels themselves are not decoded (the gateway holds no image decoder); the
// frame header's dimensions are checked (not zero, at most kMaxPixels).
//
// Pure functions over bytes; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

namespace buurtlijn::connectors::media {

enum class ImageType { jpeg, png, webp };

// "image/jpeg", "image/png", "image/webp".
std::string_view mime_type(ImageType type);

// Default cap on a photo's size (the gateway's media.max_bytes).
inline constexpr std::size_t kDefaultMaxBytes = 10 * 1024 * 1024;
// Larger frames are refused as too_large (a decompression bomb for whoever views it).
inline constexpr std::uint64_t kMaxPixels = 100'000'000;

struct ImageError {
  enum class Kind {
    too_large,     // more bytes than allowed, or more pixels than kMaxPixels
    not_an_image,  // not a JPEG, PNG or WebP by its magic bytes
    corrupt,       // the right magic, but a truncated or garbled structure
  };
  Kind kind = Kind::corrupt;
  std::string reason;  // for logs; never the image's content
};

// "too_large", "not_an_image", "corrupt".
std::string_view to_string(ImageError::Kind kind);

struct CleanImage {
  ImageType type = ImageType::jpeg;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::string bytes;  // the image without its metadata
};

// The type by magic bytes, or nullopt.
std::optional<ImageType> sniff(std::string_view bytes);

// Checks and strips `bytes` (see the top of this file). Fails with too_large when
// bytes.size() > max_bytes, before looking at them.
tl::expected<CleanImage, ImageError> clean_image(std::string_view bytes,
                                                 std::size_t max_bytes = kDefaultMaxBytes);

}  // namespace buurtlijn::connectors::media
