// Internal to the Broadcasts pages (console_broadcasts.cpp, console_broadcast_compose.cpp):
// the labels both use. Not thread-shared state: plain functions of a Visit.
#pragma once

#include <string>
#include <string_view>

#include "admin/console_parts.hpp"

namespace buurtlijn::admin::broadcast_parts {

inline std::string channel_label(const Console::Visit& visit, std::string_view channel) {
  return visit.t("broadcast.channel." + std::string(channel));
}

inline std::string language_name(const dialogs::Content& content, std::string_view code) {
  const dialogs::LanguageInfo* info = content.language(code);
  return info == nullptr ? std::string(code) : info->native_name + " (" + std::string(code) + ")";
}

inline std::string source_label(const Console::Visit& visit, const std::string& source,
                                const std::string& key) {
  return visit.t(source == "node" ? "broadcast.source.node" : "broadcast.source.template",
                 {{"key", key}});
}

inline std::string segment_text(const Console::Visit& visit,
                                const store::NotificationTarget& segment) {
  std::string text;
  const auto add = [&](std::string_view label_key, const std::string& value) {
    if (value.empty()) return;
    if (!text.empty()) text += ", ";
    text += visit.t(label_key) + ": " + value;
  };
  add("broadcast.field.language", segment.language);
  add("broadcast.field.area", segment.area);
  add("broadcast.field.channel",
      segment.channel.empty() ? "" : channel_label(visit, segment.channel));
  add("broadcast.field.topic", segment.topic);
  return text;
}

}  // namespace buurtlijn::admin::broadcast_parts
