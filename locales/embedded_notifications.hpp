// The notification catalogs of locales/notifications/ compiled into the binary, as
// {"ro.yaml", bytes} pairs for dialogs::parse_notification_catalog(). Thread-safe.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace buurtlijn::locales {

const std::vector<std::pair<std::string_view, std::string_view>>& embedded_notification_files();

}  // namespace buurtlijn::locales
