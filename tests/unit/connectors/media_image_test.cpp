// Report photos: type sniffing and metadata stripping over real images made by real
// tools (tests/fixtures/media/, see scripts/make_media_fixtures): a JPEG with GPS EXIF,
// XMP, IPTC and a comment (cjpeg + exiftool), a PNG with tEXt, iTXt, tIME and eXIf, and
// a WebP with EXIF and XMP chunks (cwebp + exiftool). After stripping, the GPS data and
// the marker text are gone and the JPEG and PNG still decode (libjpeg, libpng) to the
// very same pixels.
#include <doctest/doctest.h>
#include <png.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "connectors/media/image.hpp"

// clang-format off
#include <jpeglib.h>  // after <cstdio>: it needs FILE and size_t declared
// clang-format on

using namespace buurtlijn::connectors::media;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BUURTLIJN_SOURCE_DIR) + "/tests/fixtures/media/" + name,
                   std::ios::binary);
  REQUIRE_MESSAGE(in.good(), name);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

constexpr std::string_view kMarker = "Marker-Jansen-Rivierenwijk";

// GPSLatitude 52 deg 15' 18.36" as the three EXIF rationals exiftool writes, 52/1 15/1
// 459/25, in either byte order.
std::string rationals(bool big_endian) {
  std::string out;
  for (const std::uint32_t value : {52U, 1U, 15U, 1U, 459U, 25U}) {
    for (int i = 0; i < 4; ++i) {
      const int shift = big_endian ? 24 - 8 * i : 8 * i;
      out.push_back(static_cast<char>((value >> shift) & 0xFF));
    }
  }
  return out;
}

bool has_gps_latitude(std::string_view bytes) {
  return contains(bytes, rationals(true)) || contains(bytes, rationals(false));
}

struct Pixels {
  unsigned width = 0;
  unsigned height = 0;
  std::vector<unsigned char> rgb;
};

void jpeg_error_exit(j_common_ptr info) {
  char message[JMSG_LENGTH_MAX];
  (*info->err->format_message)(info, message);
  throw std::runtime_error(message);
}

Pixels decode_jpeg(const std::string& bytes) {
  jpeg_decompress_struct info{};
  jpeg_error_mgr errors{};
  info.err = jpeg_std_error(&errors);
  errors.error_exit = jpeg_error_exit;
  Pixels pixels;
  jpeg_create_decompress(&info);
  try {
    jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    jpeg_read_header(&info, TRUE);
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    pixels.width = info.output_width;
    pixels.height = info.output_height;
    pixels.rgb.resize(std::size_t{pixels.width} * pixels.height * 3);
    while (info.output_scanline < info.output_height) {
      JSAMPROW row = &pixels.rgb[std::size_t{info.output_scanline} * pixels.width * 3];
      jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
  } catch (...) {
    jpeg_destroy_decompress(&info);
    throw;
  }
  jpeg_destroy_decompress(&info);
  return pixels;
}

Pixels decode_png(const std::string& bytes) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()) != 0);
  image.format = PNG_FORMAT_RGB;
  Pixels pixels;
  pixels.width = image.width;
  pixels.height = image.height;
  pixels.rgb.resize(PNG_IMAGE_SIZE(image));
  REQUIRE(png_image_finish_read(&image, nullptr, pixels.rgb.data(), 0, nullptr) != 0);
  return pixels;
}

std::vector<std::string> png_chunk_types(std::string_view bytes) {
  std::vector<std::string> types;
  std::size_t at = 8;
  while (at + 12 <= bytes.size()) {
    const auto length = (std::uint32_t(std::uint8_t(bytes[at])) << 24) |
                        (std::uint32_t(std::uint8_t(bytes[at + 1])) << 16) |
                        (std::uint32_t(std::uint8_t(bytes[at + 2])) << 8) |
                        std::uint32_t(std::uint8_t(bytes[at + 3]));
    types.emplace_back(bytes.substr(at + 4, 4));
    at += length + 12;
  }
  return types;
}

std::vector<std::string> webp_chunk_types(std::string_view bytes) {
  std::vector<std::string> types;
  std::size_t at = 12;
  while (at + 8 <= bytes.size()) {
    const auto size = std::uint32_t(std::uint8_t(bytes[at + 4])) |
                      (std::uint32_t(std::uint8_t(bytes[at + 5])) << 8) |
                      (std::uint32_t(std::uint8_t(bytes[at + 6])) << 16) |
                      (std::uint32_t(std::uint8_t(bytes[at + 7])) << 24);
    types.emplace_back(bytes.substr(at, 4));
    at += 8 + size + (size & 1U);
  }
  return types;
}

bool has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

TEST_CASE("media: the type comes from the magic bytes, never from a name or a mime type") {
  CHECK(sniff(fixture("gps_exif.jpg")) == ImageType::jpeg);
  CHECK(sniff(fixture("gps_text.png")) == ImageType::png);
  CHECK(sniff(fixture("gps_exif.webp")) == ImageType::webp);
  CHECK_FALSE(sniff(fixture("not_an_image.txt")));
  CHECK_FALSE(sniff(""));
  CHECK_FALSE(sniff("GIF89a\x01\x00\x01\x00"));
  CHECK_FALSE(sniff("RIFF\x10\x00\x00\x00WAVEfmt "));  // RIFF, but audio
  CHECK_FALSE(sniff("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"));
  CHECK(mime_type(ImageType::jpeg) == "image/jpeg");
  CHECK(mime_type(ImageType::png) == "image/png");
  CHECK(mime_type(ImageType::webp) == "image/webp");

  const auto text = clean_image(fixture("not_an_image.txt"));
  REQUIRE_FALSE(text);
  CHECK(text.error().kind == ImageError::Kind::not_an_image);
  CHECK(to_string(text.error().kind) == "not_an_image");
}

TEST_CASE("media: a JPEG loses EXIF with GPS, XMP, IPTC and its comment, and decodes the same") {
  const std::string original = fixture("gps_exif.jpg");
  // The fixture really carries what must go.
  REQUIRE(contains(original, std::string_view("Exif\0\0", 6)));
  REQUIRE(has_gps_latitude(original));
  REQUIRE(contains(original, "http://ns.adobe.com/xap/1.0/"));
  REQUIRE(contains(original, "Photoshop 3.0"));
  REQUIRE(contains(original, kMarker));

  const auto cleaned = clean_image(original);
  REQUIRE(cleaned);
  CHECK(cleaned->type == ImageType::jpeg);
  CHECK(cleaned->width == 64);
  CHECK(cleaned->height == 48);
  const std::string& bytes = cleaned->bytes;
  CHECK_FALSE(contains(bytes, "Exif"));
  CHECK_FALSE(has_gps_latitude(bytes));
  CHECK_FALSE(contains(bytes, "http://ns.adobe.com"));
  CHECK_FALSE(contains(bytes, "Photoshop"));
  CHECK_FALSE(contains(bytes, kMarker));
  CHECK_FALSE(contains(bytes, "FixtureCam"));
  CHECK(contains(bytes.substr(0, 20), std::string_view("JFIF\0", 5)));  // APP0 kept
  CHECK(bytes.substr(bytes.size() - 2) == "\xFF\xD9");
  CHECK(bytes.size() < original.size());

  const Pixels before = decode_jpeg(original);
  const Pixels after = decode_jpeg(bytes);
  CHECK(after.width == 64);
  CHECK(after.height == 48);
  CHECK(after.rgb == before.rgb);

  // Stripping is idempotent: a cleaned image comes out unchanged.
  const auto again = clean_image(bytes);
  REQUIRE(again);
  CHECK(again->bytes == bytes);
}

TEST_CASE("media: a PNG loses tEXt, iTXt, tIME and eXIf, keeps valid CRCs and decodes the same") {
  const std::string original = fixture("gps_text.png");
  const auto before_types = png_chunk_types(original);
  REQUIRE(has(before_types, "tEXt"));
  REQUIRE(has(before_types, "iTXt"));
  REQUIRE(has(before_types, "tIME"));
  REQUIRE(has(before_types, "eXIf"));
  REQUIRE(has_gps_latitude(original));
  REQUIRE(contains(original, kMarker));

  const auto cleaned = clean_image(original);
  REQUIRE(cleaned);
  CHECK(cleaned->type == ImageType::png);
  CHECK(cleaned->width == 64);
  CHECK(cleaned->height == 48);
  const auto types = png_chunk_types(cleaned->bytes);
  for (const char* gone : {"tEXt", "iTXt", "zTXt", "tIME", "eXIf"}) CHECK_FALSE(has(types, gone));
  CHECK(types.front() == "IHDR");
  CHECK(types.back() == "IEND");
  CHECK_FALSE(has_gps_latitude(cleaned->bytes));
  CHECK_FALSE(contains(cleaned->bytes, kMarker));
  CHECK_FALSE(contains(cleaned->bytes, "Exif"));

  const Pixels before = decode_png(original);
  const Pixels after = decode_png(cleaned->bytes);
  CHECK(after.width == 64);
  CHECK(after.rgb == before.rgb);
}

TEST_CASE("media: a WebP loses its EXIF and XMP chunks and the VP8X flags that announce them") {
  const std::string original = fixture("gps_exif.webp");
  const auto before_types = webp_chunk_types(original);
  REQUIRE(before_types.front() == "VP8X");
  REQUIRE(has(before_types, "EXIF"));
  REQUIRE(has(before_types, "XMP "));
  REQUIRE((std::uint8_t(original[20]) & 0x0C) == 0x0C);
  REQUIRE(has_gps_latitude(original));
  REQUIRE(contains(original, kMarker));

  const auto cleaned = clean_image(original);
  REQUIRE(cleaned);
  CHECK(cleaned->type == ImageType::webp);
  CHECK(cleaned->width == 64);
  CHECK(cleaned->height == 48);
  const std::string& bytes = cleaned->bytes;
  const auto types = webp_chunk_types(bytes);
  CHECK(types.front() == "VP8X");
  CHECK(has(types, "VP8 "));
  CHECK_FALSE(has(types, "EXIF"));
  CHECK_FALSE(has(types, "XMP "));
  CHECK((std::uint8_t(bytes[20]) & 0x0C) == 0);
  CHECK_FALSE(has_gps_latitude(bytes));
  CHECK_FALSE(contains(bytes, kMarker));
  // The RIFF size matches the file, and the VP8 bitstream is untouched.
  const auto riff =
      std::uint32_t(std::uint8_t(bytes[4])) | (std::uint32_t(std::uint8_t(bytes[5])) << 8) |
      (std::uint32_t(std::uint8_t(bytes[6])) << 16) | (std::uint32_t(std::uint8_t(bytes[7])) << 24);
  CHECK(riff + 8 == bytes.size());
  const std::size_t vp8_before = original.find("VP8 ");
  const std::size_t vp8_after = bytes.find("VP8 ");
  REQUIRE(vp8_before != std::string::npos);
  REQUIRE(vp8_after != std::string::npos);
  const std::size_t vp8_size = std::uint32_t(std::uint8_t(original[vp8_before + 4])) |
                               (std::uint32_t(std::uint8_t(original[vp8_before + 5])) << 8) |
                               (std::uint32_t(std::uint8_t(original[vp8_before + 6])) << 16);
  CHECK(bytes.substr(vp8_after, vp8_size + 8) == original.substr(vp8_before, vp8_size + 8));
}

TEST_CASE("media: truncated files of every type are refused as corrupt, never crash") {
  for (const char* name : {"gps_exif.jpg", "gps_text.png", "gps_exif.webp"}) {
    const std::string original = fixture(name);
    for (const std::size_t keep : {std::size_t{4}, std::size_t{12}, std::size_t{40},
                                   original.size() / 3, original.size() / 2, original.size() - 3}) {
      CAPTURE(name);
      CAPTURE(keep);
      const auto cleaned = clean_image(std::string_view(original).substr(0, keep));
      REQUIRE_FALSE(cleaned);
      CHECK(cleaned.error().kind != ImageError::Kind::too_large);
      // Fewer than the magic bytes: not an image; otherwise corrupt.
      if (keep >= 12) CHECK(cleaned.error().kind == ImageError::Kind::corrupt);
    }
  }
}

TEST_CASE("media: garbled structures are corrupt") {
  {
    std::string png = fixture("gps_text.png");
    const std::size_t idat = png.find("IDAT");
    REQUIRE(idat != std::string::npos);
    png[idat + 10] = static_cast<char>(png[idat + 10] ^ 0x55);  // data no longer matches its CRC
    const auto cleaned = clean_image(png);
    REQUIRE_FALSE(cleaned);
    CHECK(cleaned.error().kind == ImageError::Kind::corrupt);
    CHECK(cleaned.error().reason.find("CRC") != std::string::npos);
  }
  {
    std::string jpeg = fixture("gps_exif.jpg");
    // The first segment after SOI (APP0) claims to be longer than the file.
    REQUIRE(std::uint8_t(jpeg[2]) == 0xFF);
    jpeg[4] = '\x7F';
    jpeg[5] = '\xFF';
    const auto cleaned = clean_image(jpeg);
    REQUIRE_FALSE(cleaned);
    CHECK(cleaned.error().kind == ImageError::Kind::corrupt);
  }
  {
    // SOI and then directly a scan: no frame header.
    const std::string jpeg("\xFF\xD8\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00\x12\x34\xFF\xD9", 16);
    const auto cleaned = clean_image(jpeg);
    REQUIRE_FALSE(cleaned);
    CHECK(cleaned.error().kind == ImageError::Kind::corrupt);
  }
  {
    std::string webp = fixture("gps_exif.webp");
    webp[4] = '\xFF';  // RIFF size far past the end
    webp[5] = '\xFF';
    const auto cleaned = clean_image(webp);
    REQUIRE_FALSE(cleaned);
    CHECK(cleaned.error().kind == ImageError::Kind::corrupt);
  }
}

TEST_CASE("media: the size cap is checked before anything else") {
  const std::string original = fixture("gps_exif.jpg");
  const auto cleaned = clean_image(original, original.size() - 1);
  REQUIRE_FALSE(cleaned);
  CHECK(cleaned.error().kind == ImageError::Kind::too_large);
  CHECK(clean_image(original, original.size()));
  // A frame header announcing a decompression bomb (60000 x 60000) is too large too.
  std::string bomb = original;
  const std::size_t sof = bomb.find("\xFF\xC0");
  REQUIRE(sof != std::string::npos);
  bomb[sof + 5] = '\xEA';
  bomb[sof + 6] = '\x60';
  bomb[sof + 7] = '\xEA';
  bomb[sof + 8] = '\x60';
  const auto refused = clean_image(bomb);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == ImageError::Kind::too_large);
}
