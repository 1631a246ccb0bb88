// The web chat's wire format: the fuzzed bytes as a client frame and as a stored outbox
// payload. A refused frame carries a code and a message; an accepted one holds valid
// UTF-8 within the limits; an outbox payload that parses re-serialises to itself.
#include "connectors/webchat/webchat_frames.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "check.hpp"

namespace {

using namespace buurtlijn::connectors::webchat;
using buurtlijn::fuzz::valid_utf8;

constexpr FrameLimits kLimits{};

void check_id(const std::string& id) {
  FUZZ_CHECK(id.size() <= kLimits.max_id_bytes);
  FUZZ_CHECK(valid_utf8(id));
}

void check_frame(const ClientFrame& frame) {
  if (const auto* hello = std::get_if<Hello>(&frame)) {
    FUZZ_CHECK(valid_utf8(hello->token) && valid_utf8(hello->language));
  } else if (const auto* pick = std::get_if<LanguagePick>(&frame)) {
    check_id(pick->id);
    FUZZ_CHECK(valid_utf8(pick->language));
  } else if (const auto* message = std::get_if<TextMessage>(&frame)) {
    check_id(message->id);
    FUZZ_CHECK(!message->text.empty() && message->text.size() <= kLimits.max_text_bytes);
    FUZZ_CHECK(valid_utf8(message->text));
  } else if (const auto* choice = std::get_if<ButtonChoice>(&frame)) {
    check_id(choice->id);
    FUZZ_CHECK(valid_utf8(choice->choice) && valid_utf8(choice->label));
  } else if (const auto* received = std::get_if<Received>(&frame)) {
    FUZZ_CHECK(received->ids.size() <= kLimits.max_received_ids);
  }
}

bool same(const BotMessage& a, const BotMessage& b) {
  if (a.text != b.text || a.language != b.language || a.right_to_left != b.right_to_left ||
      a.buttons.size() != b.buttons.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.buttons.size(); ++i) {
    if (a.buttons[i].id != b.buttons[i].id || a.buttons[i].label != b.buttons[i].label) {
      return false;
    }
  }
  return true;
}

}  // namespace

// libFuzzer names the entry point.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  const auto frame = parse_client_frame(bytes, kLimits);
  if (frame) {
    check_frame(*frame);
  } else {
    FUZZ_CHECK(!frame.error().code.empty() && !frame.error().message.empty());
    FUZZ_CHECK(valid_utf8(render_error(frame.error())));
  }

  const auto payload = parse_outbox_payload(bytes);
  if (payload) {
    const std::string again = render_outbox_payload(*payload);
    const auto reparsed = parse_outbox_payload(again);
    FUZZ_CHECK(reparsed.has_value());
    FUZZ_CHECK(same(*payload, *reparsed));
    FUZZ_CHECK(valid_utf8(render_bot_message(*payload)));
  } else {
    FUZZ_CHECK(!payload.error().code.empty() && !payload.error().message.empty());
  }

  const auto outbox_id = parse_outbox_message_id(bytes);
  if (outbox_id) FUZZ_CHECK(parse_outbox_message_id(outbox_message_id(*outbox_id)) == *outbox_id);
  return 0;
}
