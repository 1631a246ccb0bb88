// Pseudonyms: keyed, stable, channel-separated; keys kept private on disk.
#include "gateway/pseudonym.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>

using namespace buurtlijn::gateway;

TEST_CASE("a pseudonym is stable per key and channel and reveals nothing") {
  const Pseudonymizer a("key-a");
  const Pseudonymizer b("key-b");
  const std::string phone = "+40712345678";
  CHECK(a.pseudonym("whatsapp", phone) == a.pseudonym("whatsapp", phone));
  CHECK(a.pseudonym("whatsapp", phone) != b.pseudonym("whatsapp", phone));
  CHECK(a.pseudonym("whatsapp", phone) != a.pseudonym("telegram", phone));
  CHECK(a.pseudonym("ab", "c") != a.pseudonym("a", "bc"));
  const std::string pseudonym = a.pseudonym("whatsapp", phone);
  CHECK(pseudonym.size() == 32);
  CHECK(pseudonym.find("712345678") == std::string::npos);
}

TEST_CASE("random tokens are url-safe and distinct") {
  const std::string first = random_token(24);
  CHECK(first.size() == 32);
  CHECK(
      first.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
      std::string::npos);
  CHECK(first != random_token(24));
  CHECK(secrets_equal("abc", "abc"));
  CHECK_FALSE(secrets_equal("abc", "abd"));
  CHECK_FALSE(secrets_equal("abc", "abcd"));
}

TEST_CASE("the pseudonym key file is created private and reused") {
  const auto dir = std::filesystem::temp_directory_path() / ("buurtlijn-key-" + random_token(6));
  auto created = load_or_create_pseudonym_key("", dir.string());
  REQUIRE(created);
  struct stat info {};
  REQUIRE(::stat((dir / "keys" / "pseudonym.key").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  auto again = load_or_create_pseudonym_key("", dir.string());
  REQUIRE(again);
  CHECK(*again == *created);

  ::chmod((dir / "keys" / "pseudonym.key").c_str(), 0644);
  auto refused = load_or_create_pseudonym_key("", dir.string());
  REQUIRE_FALSE(refused);
  CHECK(refused.error().find("chmod 600") != std::string::npos);

  auto configured = load_or_create_pseudonym_key("from-env", dir.string());
  REQUIRE(configured);
  CHECK(*configured == "from-env");
  std::filesystem::remove_all(dir);
}
