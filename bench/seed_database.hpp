// Fills a Buurtlijn database for the benchmarks: `conversations` subjects, each with a
// conversation, then messages spread over them until the file holds `target_bytes`.
// The schema comes from store's own migrations, so the server opens the result as its
// own. Texts are realistic multilingual questions, not random bytes, so the file's page
// layout and index sizes resemble a real one.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace buurtlijn::bench {

struct SeedPlan {
  std::string path;  // the database file (created)
  std::int64_t conversations = 100'000;
  std::int64_t target_bytes = 0;  // 0: two messages per conversation, no more
};

inline SeedPlan make_plan(std::string path, std::int64_t conversations, std::int64_t target_bytes) {
  SeedPlan plan;
  plan.path = std::move(path);
  plan.conversations = conversations;
  plan.target_bytes = target_bytes;
  return plan;
}

// Returns an error message, or an empty string on success.
std::string seed_database(const SeedPlan& plan);

// For the broadcast benchmark: `subscribers` active subscribers (the rows the opt-in
// dialog writes), each with its subject, a conversation whose last message is from the
// seeding time (so WhatsApp is inside its 24-hour window), a reply address, the area
// "Rivierenwijk", languages round-robin over the 16 and channels round-robin over
// `channels` ("telegram", "whatsapp", "kannel").
std::string seed_subscribers(const std::string& path, std::int64_t subscribers,
                             const std::vector<std::string>& channels);

}  // namespace buurtlijn::bench
