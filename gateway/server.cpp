// See server.hpp.
#include "gateway/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "gateway/admin_console.hpp"
#include "gateway/app.hpp"
#include "gateway/broadcasts.hpp"
#include "gateway/listener.hpp"
#include "gateway/log.hpp"
#include "gateway/notification_api.hpp"
#include "gateway/outbox_worker.hpp"
#include "gateway/retention_worker.hpp"

namespace buurtlijn::gateway {

namespace asio = boost::asio;

namespace {

std::unique_ptr<store::Store> open_store(const Config& config, Metrics& metrics) {
  store::SqliteOptions options;
  options.path = (std::filesystem::path(config.store.data_dir) / "buurtlijn.db").string();
  options.max_batch = config.store.max_batch;
  options.observer.on_batch = [&metrics](std::size_t writes, double seconds, bool ok) {
    metrics.observe_commit(writes, seconds, ok);
  };
  auto opened = store::open_sqlite_store(std::move(options));
  if (!opened) {
    log::error("store.open_failed", {{"reason", opened.error().message}});
    return nullptr;
  }
  return std::move(*opened);
}

// Waits for open connections to finish, up to the deadline, then stops the loop.
void drain_then_stop(App& app, asio::io_context& io,
                     const std::shared_ptr<asio::steady_timer>& timer,
                     std::chrono::steady_clock::time_point deadline) {
  const bool drained = app.connections.size() == 0 && app.webchat.size() == 0;
  if (drained || std::chrono::steady_clock::now() >= deadline) {
    if (!drained) {
      log::warn("server.shutdown_deadline", {{"open_connections", app.connections.size()},
                                             {"open_websockets", app.webchat.size()}});
    }
    io.stop();
    return;
  }
  timer->expires_after(std::chrono::milliseconds(20));
  timer->async_wait([&app, &io, timer, deadline](boost::system::error_code) {
    drain_then_stop(app, io, timer, deadline);
  });
}

}  // namespace

int run_server(Config config) {
  if (auto level = log::parse_level(config.log.level)) log::set_level(*level);
  if (!config.log.directory.empty()) log::set_directory(config.log.directory);

  std::error_code dir_error;
  std::filesystem::create_directories(config.store.data_dir, dir_error);
  if (dir_error) {
    log::error("server.data_dir_failed",
               {{"data_dir", config.store.data_dir}, {"reason", dir_error.message()}});
    return 1;
  }
  auto key = load_or_create_pseudonym_key(config.secrets.pseudonym_key, config.store.data_dir);
  if (!key) {
    log::error("server.key_failed", {{"reason", key.error()}});
    return 1;
  }
  auto content = load_content_and_files(config.content.locales_dir);
  if (!content) {
    log::error("content.load_failed", {{"problems", content.error()}});
    return 1;
  }

  auto notifications = load_notification_catalog(config.content.locales_dir);
  if (!notifications) {
    log::error("notifications.load_failed", {{"problems", notifications.error()}});
    return 1;
  }
  auto case_runtime = load_case_runtime(config);
  if (!case_runtime) {
    log::error("cases.load_failed", {{"reason", case_runtime.error()}});
    return 1;
  }

  auto app = std::make_unique<App>(config, Pseudonymizer(*key));
  app->cases = *case_runtime;
  app->content.publish(content->content);
  app->notifications = *notifications;
  app->store = open_store(app->config, app->metrics);
  if (!app->store) return 1;
  app->admin = start_admin_console(*app, std::move(*content));
  if (!app->admin) {
    app->store->close();
    return 1;
  }

  const unsigned threads = config.server.threads != 0
                               ? config.server.threads
                               : std::max(1U, std::thread::hardware_concurrency());
  asio::io_context io(static_cast<int>(threads));

  asio::ip::tcp::acceptor acceptor(io);
  boost::system::error_code error;
  const auto address = asio::ip::make_address(config.server.host, error);
  if (error) {
    log::error("server.bad_address", {{"host", config.server.host}});
    app->store->close();
    return 1;
  }
  const asio::ip::tcp::endpoint endpoint(address, config.server.port);
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    log::error(
        "server.listen_failed",
        {{"host", config.server.host}, {"port", config.server.port}, {"reason", error.message()}});
    app->store->close();
    return 1;
  }
  // Sends the outbox of the HTTP channels; stopped below before the store closes.
  OutboxWorker outbox(*app->store, app->config, app->metrics);
  outbox.start();
  auto outbox_deadline = std::chrono::steady_clock::now();
  app->wake_outbox = [&outbox] { outbox.wake(); };
  // Queues scheduled broadcasts when due (gateway/broadcasts.hpp); stopped before the outbox.
  auto broadcasts = ServerBroadcasts::create(*app);
  std::optional<BroadcastScheduler> scheduler;
  if (broadcasts) scheduler.emplace(*broadcasts, std::chrono::seconds(5));
  if (scheduler) scheduler->start();
  RetentionWorker retention(io, *app->store, app->config, app->metrics);
  retention.start();

  // Installed before "listening" is logged: a SIGTERM right after start must still be
  // a graceful stop.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code wait_error, int signal) {
    if (wait_error) return;
    log::info("server.stopping", {{"signal", signal}});
    outbox_deadline = std::chrono::steady_clock::now() + app->config.server.shutdown_deadline;
    app->stopping = true;
    retention.stop();
    boost::system::error_code ignored;
    acceptor.close(ignored);
    app->connections.close_idle_all();
    app->webchat.close_all();
    drain_then_stop(*app, io, std::make_shared<asio::steady_timer>(io),
                    std::chrono::steady_clock::now() + app->config.server.shutdown_deadline);
  });

  log::info("listening", {{"host", config.server.host},
                          {"port", acceptor.local_endpoint().port()},
                          {"threads", threads},
                          {"data_dir", config.store.data_dir}});

  asio::co_spawn(io, accept_connections(*app, acceptor), asio::detached);

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& thread : pool) thread.join();

  if (scheduler) scheduler->stop();
  outbox.stop(outbox_deadline);
  // Commits what the writer still holds; callbacks post into the stopped loop.
  app->store->close();
  log::info("server.stopped");
  return 0;
}

}  // namespace buurtlijn::gateway
