// Everything a running server shares between its connections, wired once in server.cpp.
// Each member documents its own thread safety; the struct adds none.
#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include "dialogs/notification_catalog.hpp"
#include "gateway/address_limiter.hpp"
#include "gateway/case_runtime.hpp"
#include "gateway/config.hpp"
#include "gateway/connection_registry.hpp"
#include "gateway/content_holder.hpp"
#include "gateway/metrics.hpp"
#include "gateway/pseudonym.hpp"
#include "gateway/router.hpp"
#include "gateway/static_assets.hpp"
#include "gateway/subject_limiter.hpp"
#include "gateway/webchat_hub.hpp"
#include "store/store.hpp"

namespace buurtlijn::gateway {

struct App {
  App(Config config_in, Pseudonymizer pseudonymizer_in)
      : config(std::move(config_in)),
        router(make_router()),
        address_limiter(config.server.per_address_per_second, config.server.per_address_burst),
        subject_limiter(config.server.per_subject_per_minute, config.server.per_subject_burst),
        pseudonymizer(std::move(pseudonymizer_in)) {}

  Config config;
  std::unique_ptr<store::Store> store;
  ContentHolder content;
  Metrics metrics;
  Router router;
  AddressLimiter address_limiter;
  SubjectLimiter subject_limiter;
  Pseudonymizer pseudonymizer;
  StaticAssets assets;
  WebchatHub webchat;
  ConnectionRegistry connections;
  std::shared_ptr<const CaseRuntime> cases;  // areas, texts, settings (loaded at start)
  std::atomic<bool> stopping{false};
  // Wakes the outbox worker after replies were committed (set in server.cpp).
  std::function<void()> wake_outbox;
  // Subscription keywords and notification templates (locales/notifications/).
  std::shared_ptr<const dialogs::NotificationCatalog> notifications;
  // The Buurtmaker's console (gateway/admin_console.hpp), set in server.cpp.
  std::shared_ptr<struct AdminConsole> admin;
};

}  // namespace buurtlijn::gateway
