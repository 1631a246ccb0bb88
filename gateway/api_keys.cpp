// See api_keys.hpp.
#include "gateway/api_keys.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <iostream>

#include "gateway/config.hpp"

namespace buurtlijn::gateway {
namespace {

std::string hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return out;
}

store::Millis now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <class T, class Submit>
store::Result<T> wait_for(Submit submit) {
  std::promise<store::Result<T>> promise;
  auto answer = promise.get_future();
  submit([&promise](store::Result<T> result) { promise.set_value(std::move(result)); });
  return answer.get();
}

}  // namespace

std::string generate_api_key() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("no random bytes from OpenSSL");  // boundary: the CLI reports it
  }
  return "blk_" + hex(bytes.data(), bytes.size());
}

std::string hash_api_key(std::string_view key) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(key.data(), key.size(), digest.data(), &size, EVP_sha256(), nullptr);
  return hex(digest.data(), size);
}

std::optional<std::int64_t> match_api_key(std::string_view presented,
                                          const std::vector<store::ApiKeyRecord>& keys) {
  if (presented.empty()) return std::nullopt;
  const std::string hash = hash_api_key(presented);
  std::optional<std::int64_t> found;
  for (const store::ApiKeyRecord& key : keys) {
    // Every key is compared, in constant time, whatever matched before.
    const bool same = key.key_hash.size() == hash.size() &&
                      CRYPTO_memcmp(key.key_hash.data(), hash.data(), hash.size()) == 0;
    if (same && key.revoked_at == 0) found = key.id;
  }
  return found;
}

int api_key_command(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  const char* usage =
      "Usage: buurtlijn api-key create --name NAME | list | revoke --name NAME\n"
      "       [--config FILE] [--data-dir DIR]\n"
      "create prints the new key once; only its SHA-256 is stored.\n";
  if (args.empty() || (args[0] != "create" && args[0] != "list" && args[0] != "revoke")) {
    std::cerr << usage;
    return 2;
  }
  po::options_description options("Options of 'buurtlijn api-key'");
  options.add_options()("help,h", "show this help")(
      "name", po::value<std::string>()->value_name("NAME"), "the key's name")(
      "config", po::value<std::string>()->value_name("FILE"), "YAML configuration file")(
      "data-dir", po::value<std::string>()->value_name("DIR"), "directory of the SQLite file");
  po::variables_map values;
  try {
    po::store(po::command_line_parser(std::vector<std::string>(args.begin() + 1, args.end()))
                  .options(options)
                  .run(),
              values);
    po::notify(values);
  } catch (const po::error& error) {
    std::cerr << "buurtlijn api-key: " << error.what() << "\n\n" << usage << options;
    return 2;
  }
  if (values.count("help") != 0U) {
    std::cout << usage << "\n" << options;
    return 0;
  }
  Config config;
  if (values.count("config") != 0U) {
    auto loaded = load_config_file(values["config"].as<std::string>());
    if (!loaded) {
      std::cerr << "buurtlijn: configuration refused: " << loaded.error().describe() << "\n";
      return 2;
    }
    config = std::move(*loaded);
  }
  if (values.count("data-dir") != 0U) config.store.data_dir = values["data-dir"].as<std::string>();
  const std::string name = values.count("name") != 0U ? values["name"].as<std::string>() : "";
  if (args[0] != "list" && name.empty()) {
    std::cerr << "buurtlijn api-key " << args[0] << ": --name is required\n";
    return 2;
  }
  std::error_code dir_error;
  std::filesystem::create_directories(config.store.data_dir, dir_error);
  store::SqliteOptions store_options;
  store_options.path = (std::filesystem::path(config.store.data_dir) / "buurtlijn.db").string();
  auto opened = store::open_sqlite_store(std::move(store_options));
  if (!opened) {
    std::cerr << "buurtlijn api-key: cannot open the store: " << opened.error().message << "\n";
    return 1;
  }
  store::Store& db = **opened;
  int status = 0;
  if (args[0] == "create") {
    const std::string key = generate_api_key();
    auto id = wait_for<std::int64_t>([&](auto done) {
      db.create_api_key(name, hash_api_key(key), now_millis(), std::move(done));
    });
    if (!id) {
      std::cerr << "buurtlijn api-key create: " << id.error().message << "\n";
      status = 1;
    } else {
      std::cout << key << "\n";
      std::cerr << "API key '" << name
                << "' created. It is shown only now: store it in a secret manager.\n";
    }
  } else if (args[0] == "revoke") {
    auto revoked =
        wait_for<bool>([&](auto done) { db.revoke_api_key(name, now_millis(), std::move(done)); });
    if (!revoked) {
      std::cerr << "buurtlijn api-key revoke: " << revoked.error().message << "\n";
      status = 1;
    } else if (!*revoked) {
      std::cerr << "buurtlijn api-key revoke: no valid key named '" << name << "'\n";
      status = 1;
    } else {
      std::cout << "revoked " << name << "\n";
    }
  } else {
    auto keys = db.api_keys();
    if (!keys) {
      std::cerr << "buurtlijn api-key list: " << keys.error().message << "\n";
      status = 1;
    } else {
      for (const store::ApiKeyRecord& key : *keys) {
        std::cout << key.name << "\tcreated " << key.created_at
                  << (key.revoked_at != 0 ? "\trevoked " + std::to_string(key.revoked_at)
                                          : std::string("\tvalid"))
                  << "\n";
      }
    }
  }
  db.close();
  return status;
}

}  // namespace buurtlijn::gateway
