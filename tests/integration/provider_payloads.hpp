// Inbound webhook payloads as WhatsApp and Telegram send them (the documented shapes),
// signed or carrying the secret as the providers do, for the tests that drive the real
// server through its webhooks.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "clients.hpp"

namespace buurtlijn::testing::provider {

inline constexpr const char* kAppSecret = "wa-app-secret";
inline constexpr const char* kVerifyToken = "wa-verify";
inline constexpr const char* kPhoneNumberId = "106540352242922";
inline constexpr const char* kTelegramSecret = "tg_secret-1";

// The environment that turns WhatsApp and Telegram on against a fake at `base_url`.
std::map<std::string, std::string> channel_environment(const std::string& base_url);

// "sha256=<hex HMAC-SHA256 of body>" as in X-Hub-Signature-256.
std::string whatsapp_signature(const std::string& body, const std::string& secret = kAppSecret);
std::string whatsapp_text(const std::string& from, const std::string& id, const std::string& text);
std::string whatsapp_status(const std::string& provider_id, const std::string& status,
                            const std::string& reference);
HttpResult post_whatsapp(std::uint16_t port, const std::string& body,
                         const std::string& secret = kAppSecret);

std::string telegram_text(std::int64_t update_id, std::int64_t chat_id, const std::string& text);
HttpResult post_telegram(std::uint16_t port, const std::string& body,
                         const std::string& secret = kTelegramSecret);

}  // namespace buurtlijn::testing::provider
