// The per-subject limit (gateway/subject_limiter.hpp): a burst, then a steady rate per
// pseudonym, each pseudonym on its own, nothing when switched off; the configuration
// keys and their defaults.
#include "gateway/subject_limiter.hpp"

#include <doctest/doctest.h>

#include "gateway/config.hpp"

namespace buurtlijn::gateway {
namespace {

using std::chrono::seconds;

TEST_CASE("subject limiter: a burst, then per_minute, per subject") {
  SubjectLimiter limiter(/*per_minute=*/6, /*burst=*/5);
  const SteadyTime t0{};
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += limiter.admit("flooder", t0) ? 1 : 0;
  CHECK(admitted == 5);
  // Another subject is not affected.
  CHECK(limiter.admit("neighbour", t0));
  // One message every 10 s comes back.
  CHECK_FALSE(limiter.admit("flooder", t0 + seconds(9)));
  CHECK(limiter.admit("flooder", t0 + seconds(11)));
  CHECK_FALSE(limiter.admit("flooder", t0 + seconds(12)));
  // A quiet minute refills part of the burst, never more than the burst.
  int later = 0;
  for (int i = 0; i < 20; ++i) later += limiter.admit("flooder", t0 + seconds(600)) ? 1 : 0;
  CHECK(later == 5);
  CHECK(limiter.tracked() == 2);
}

TEST_CASE("subject limiter: 0 per minute is no limit") {
  SubjectLimiter limiter(0, 1);
  for (int i = 0; i < 1000; ++i) REQUIRE(limiter.admit("anyone", SteadyTime{}));
}

TEST_CASE("subject limiter: memory stays bounded") {
  SubjectLimiter limiter(6, 5, /*max_subjects=*/160);
  for (int i = 0; i < 5000; ++i) limiter.admit("subject-" + std::to_string(i), SteadyTime{});
  CHECK(limiter.tracked() <= 160);
}

TEST_CASE("subject limiter: configuration") {
  CHECK(Config{}.server.per_subject_per_minute == 30);
  CHECK(Config{}.server.per_subject_burst == 30);
  auto config = parse_config("server:\n  per_subject_per_minute: 0\n  per_subject_burst: 3\n");
  REQUIRE(config);
  CHECK(config->server.per_subject_per_minute == 0);
  CHECK(config->server.per_subject_burst == 3);
  CHECK_FALSE(parse_config("server:\n  per_subject_burst: 0\n"));
  CHECK_FALSE(parse_config("server:\n  per_subject_per_minute: -1\n"));
}

}  // namespace
}  // namespace buurtlijn::gateway
