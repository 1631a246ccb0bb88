// See subject_limiter.hpp.
#include "gateway/subject_limiter.hpp"

#include <chrono>

#include "gateway/app.hpp"

namespace buurtlijn::gateway {

SubjectLimiter::SubjectLimiter(unsigned per_minute, unsigned burst, std::size_t max_subjects)
    : buckets_(static_cast<double>(per_minute) / 60.0, static_cast<double>(burst), max_subjects) {}

bool SubjectLimiter::admit(std::string_view pseudonym, SteadyTime now) {
  return !buckets_.allow(pseudonym, now).has_value();
}

bool admit_subject_message(App& app, std::string_view channel, std::string_view pseudonym) {
  if (app.subject_limiter.admit(pseudonym, std::chrono::steady_clock::now())) return true;
  app.metrics.count_refused(channel, "subject_rate_limited");
  return false;
}

}  // namespace buurtlijn::gateway
