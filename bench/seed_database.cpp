#include "bench/seed_database.hpp"

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <string_view>

#include "store/migrations.hpp"
#include "store/sqlite_connection.hpp"

namespace buurtlijn::bench {
namespace {

constexpr std::array<std::string_view, 8> kTexts{
    "Cum mă înregistrez la gemeente? Am venit acum două săptămâni pentru muncă.",
    "Как да се регистрирам в общината и какво трябва да нося със себе си?",
    "Мій орендодавець не повертає заставу вже два місяці, що мені робити?",
    "Where do I get a milieupas for the container? The landlord did not give one.",
    "Gdzie mogę oddać stare meble? Czy recycleplein jest płatny dla mieszkańców?",
    "Thank you. Your question has been answered; write 0 for the menu at any time.",
    "Dank u. Uw vraag is beantwoord. Typ 0 voor het menu of stel een nieuwe vraag.",
    "如何在市政厅登记？我需要带护照和租房合同吗？",
};

struct Statement {
  sqlite3_stmt* raw = nullptr;
  Statement(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &raw, nullptr); }
  ~Statement() { sqlite3_finalize(raw); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  bool run() {
    const int rc = sqlite3_step(raw);
    sqlite3_reset(raw);
    return rc == SQLITE_DONE;
  }
};

std::string last_error(sqlite3* db) {
  return sqlite3_errmsg(db);
}

}  // namespace

std::string seed_database(const SeedPlan& plan) {
  std::filesystem::remove(plan.path);
  std::filesystem::remove(plan.path + "-wal");
  std::filesystem::remove(plan.path + "-shm");
  store::ConnectionOptions options;
  options.path = plan.path;
  options.create = true;
  auto db = store::SqliteConnection::open(options);
  if (!db) return "open: " + db.error().message;
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (auto migrated = store::migrate(*db, store::all_migrations(), now); !migrated) {
    return "migrate: " + migrated.error().message;
  }
  sqlite3* handle = db->handle();
  if (auto pragmas = db->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;"); !pragmas) {
    return pragmas.error().message;
  }
  Statement subject(handle,
                    "INSERT INTO subjects (id, pseudonym, channel, created_at) "
                    "VALUES (?1, 'bench-' || ?1, 'webchat', ?2)");
  Statement conversation(handle,
                         "INSERT INTO conversations (id, subject_id, channel, language, "
                         "created_at, updated_at, last_inbound_at) "
                         "VALUES (?1, ?1, 'webchat', 'ro', ?2, ?2, ?2)");
  Statement message(handle,
                    "INSERT INTO messages (conversation_id, direction, text, channel, "
                    "channel_message_id, created_at) VALUES (?1, ?2, ?3, 'webchat', ?4, ?5)");
  if (!subject.raw || !conversation.raw || !message.raw) return last_error(handle);

  if (auto begin = db->exec("BEGIN"); !begin) return begin.error().message;
  for (std::int64_t id = 1; id <= plan.conversations; ++id) {
    sqlite3_bind_int64(subject.raw, 1, id);
    sqlite3_bind_int64(subject.raw, 2, now);
    sqlite3_bind_int64(conversation.raw, 1, id);
    sqlite3_bind_int64(conversation.raw, 2, now);
    if (!subject.run() || !conversation.run()) return "insert: " + last_error(handle);
  }
  // Messages round-robin over the conversations, an inbound question and its answer,
  // committed every 100,000 rows, until the file is as large as asked.
  std::int64_t written = 0;
  const auto add_message = [&](std::int64_t n) {
    const std::int64_t conversation_id = (n / 2) % plan.conversations + 1;
    const bool inbound = n % 2 == 0;
    const std::string_view text = kTexts[static_cast<std::size_t>(n) % kTexts.size()];
    sqlite3_bind_int64(message.raw, 1, conversation_id);
    sqlite3_bind_text(message.raw, 2, inbound ? "in" : "out", -1, SQLITE_STATIC);
    sqlite3_bind_text(message.raw, 3, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    const std::string channel_id = "bench-" + std::to_string(n);
    if (inbound) {
      sqlite3_bind_text(message.raw, 4, channel_id.c_str(), -1, SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(message.raw, 4);
    }
    sqlite3_bind_int64(message.raw, 5, now - n);
    return message.run();
  };
  for (; written < plan.conversations * 2; ++written) {
    if (!add_message(written)) return "insert: " + last_error(handle);
  }
  if (auto commit = db->exec("COMMIT"); !commit) return commit.error().message;
  while (plan.target_bytes > 0) {
    if (auto checkpoint = db->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !checkpoint) {
      return checkpoint.error().message;
    }
    if (static_cast<std::int64_t>(std::filesystem::file_size(plan.path)) >= plan.target_bytes) {
      break;
    }
    if (auto begin = db->exec("BEGIN"); !begin) return begin.error().message;
    for (int i = 0; i < 100'000; ++i, ++written) {
      if (!add_message(written)) return "insert: " + last_error(handle);
    }
    if (auto commit = db->exec("COMMIT"); !commit) return commit.error().message;
  }
  if (auto checkpoint = db->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !checkpoint) {
    return checkpoint.error().message;
  }
  return {};
}

std::string seed_subscribers(const std::string& path, std::int64_t subscribers,
                             const std::vector<std::string>& channels) {
  static constexpr std::array<const char*, 16> kLanguages{"nl", "en", "bg", "ro", "uk", "de",
                                                          "fr", "es", "it", "pt", "ar", "pl",
                                                          "zh", "fa", "hi", "ti"};
  if (channels.empty()) return "no channels";
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  store::ConnectionOptions options;
  options.path = path;
  options.create = true;
  auto db = store::SqliteConnection::open(options);
  if (!db) return "open: " + db.error().message;
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (auto migrated = store::migrate(*db, store::all_migrations(), now); !migrated) {
    return "migrate: " + migrated.error().message;
  }
  sqlite3* handle = db->handle();
  if (auto pragmas = db->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;"); !pragmas) {
    return pragmas.error().message;
  }
  Statement subject(handle,
                    "INSERT INTO subjects (id, pseudonym, channel, created_at) "
                    "VALUES (?1, 'bench-subscriber-' || ?1, ?2, ?3)");
  Statement conversation(handle,
                         "INSERT INTO conversations (id, subject_id, channel, language, "
                         "created_at, updated_at, last_inbound_at) "
                         "VALUES (?1, ?1, ?2, ?4, ?3, ?3, ?3)");
  Statement address(handle, "INSERT INTO contact_addresses (subject_id, address) VALUES (?1, ?5)");
  Statement subscriber(handle,
                       "INSERT INTO subscribers (id, subject_id, channel, language, area, state, "
                       "opted_in_at, opted_in_how, created_at, updated_at) "
                       "VALUES (?1, ?1, ?2, ?4, 'Rivierenwijk', 'active', ?3, 'yes', ?3, ?3)");
  if (!subject.raw || !conversation.raw || !address.raw || !subscriber.raw) {
    return last_error(handle);
  }
  if (auto begin = db->exec("BEGIN"); !begin) return begin.error().message;
  for (std::int64_t id = 1; id <= subscribers; ++id) {
    const std::string& channel = channels[static_cast<std::size_t>(id) % channels.size()];
    const char* language = kLanguages[static_cast<std::size_t>(id) % kLanguages.size()];
    // Telegram chat ids are numbers; WhatsApp and SMS addresses phone numbers (fake).
    const std::string contact = channel == "telegram" ? std::to_string(900'000'000 + id)
                                                      : std::to_string(31'600'000'000 + id);
    for (Statement* statement : {&subject, &conversation, &address, &subscriber}) {
      sqlite3_bind_int64(statement->raw, 1, id);
      if (statement != &address) {
        sqlite3_bind_text(statement->raw, 2, channel.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(statement->raw, 3, now);
      }
      if (statement == &conversation || statement == &subscriber) {
        sqlite3_bind_text(statement->raw, 4, language, -1, SQLITE_STATIC);
      }
      if (statement == &address) {
        sqlite3_bind_text(statement->raw, 5, contact.c_str(), -1, SQLITE_TRANSIENT);
      }
      if (!statement->run()) return "insert: " + last_error(handle);
    }
  }
  if (auto commit = db->exec("COMMIT"); !commit) return commit.error().message;
  if (auto checkpoint = db->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !checkpoint) {
    return checkpoint.error().message;
  }
  return {};
}

}  // namespace buurtlijn::bench
