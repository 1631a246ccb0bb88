// The notification catalog: per language, the subscription keywords (STOP, START, the
// words that ask for news, yes and no), the confirmations of the subscription dialog
// and the notification templates the API sends (locales/notifications/<code>.yaml).
// Parsed and checked from in-memory files; no I/O. Immutable once parsed; every const
// member may be called from many threads (a template is formatted on a private clone of
// its compiled MessageFormat).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

#include "dialogs/content.hpp"

namespace buurtlijn::dialogs {

// Every notification catalog has exactly these languages, in this order.
inline constexpr std::string_view kNotificationLanguages[] = {
    "nl", "en", "bg", "ro", "uk", "de", "fr", "es", "it", "pt", "ar", "pl", "zh", "fa", "hi", "ti"};

// The subscription dialog's texts: every catalog has exactly these `messages:`.
inline constexpr std::string_view kSubscriptionMessages[] = {
    "optin_question", "subscribed", "already_subscribed", "stopped",
    "restarted",      "declined",   "voice_note"};

// The keyword lists every catalog has (`keywords:`), whole messages after folding.
inline constexpr std::string_view kKeywordLists[] = {"stop", "start", "subscribe", "yes", "no"};

class NotificationCatalog {
 public:
  struct Impl;
  explicit NotificationCatalog(std::unique_ptr<const Impl> impl);
  ~NotificationCatalog();
  NotificationCatalog(const NotificationCatalog&) = delete;
  NotificationCatalog& operator=(const NotificationCatalog&) = delete;

  bool has_language(std::string_view code) const;
  bool right_to_left(std::string_view code) const;
  // The requested language, the second language, en, nl; known codes only, no repeats.
  std::vector<std::string> fallback_chain(std::string_view language,
                                          std::string_view second_language) const;

  // Template keys, sorted, and the arguments each needs (sorted, the same in every
  // language).
  std::vector<std::string> template_keys() const;
  const std::vector<std::string>* template_arguments(std::string_view key) const;

  // A subscription message (kSubscriptionMessages) or a template ("templates.<key>" is
  // not needed: pass the key) in the first language of the fallback chain that has it,
  // formatted with string `arguments` (isolated in right-to-left text). Fails with a
  // reason when no language has it or an argument is missing.
  tl::expected<LocalizedText, std::string> render_message(
      std::string_view id, std::string_view language, std::string_view second_language = {}) const;
  tl::expected<LocalizedText, std::string> render_template(
      std::string_view key, std::string_view language, std::string_view second_language,
      const std::map<std::string, std::string, std::less<>>& arguments) const;

  // The folded keyword list `list` (kKeywordLists) of `language`; empty when unknown.
  const std::vector<std::string>& keywords(std::string_view language, std::string_view list) const;

  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<const Impl> impl_;
};

// Parses {"<code>.yaml", text} pairs (other names are ignored). Refuses, listing every
// problem: a missing or extra language, YAML errors, unknown keys, a missing message,
// template or keyword list in any language, a MessageFormat that does not compile,
// placeholders that differ between languages, a right-to-left flag that does not fit
// the language, an empty keyword. Never throws.
tl::expected<std::shared_ptr<const NotificationCatalog>, ContentError> parse_notification_catalog(
    const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace buurtlijn::dialogs
