// See kannel.hpp. The callback URL escapes are configured in kannel.conf (see
// ../shared/CHANNELS.md and tests/integration for a working configuration).
#include "connectors/kannel/kannel.hpp"

#include <openssl/crypto.h>
#include <unicode/brkiter.h>
#include <unicode/ucnv.h>
#include <unicode/unistr.h>

#include <boost/url.hpp>
#include <memory>
#include <set>

#include "connectors/json_fields.hpp"
#include "connectors/utf8_text.hpp"

namespace buurtlijn::connectors::kannel {

namespace {

using Query = std::map<std::string, std::string, std::less<>>;

tl::expected<Query, Refusal> query_of(const InboundRequest& request, const Settings& settings) {
  auto url = boost::urls::parse_origin_form(request.target);
  if (!url) return refuse(Refusal::Kind::malformed, "unparsable callback URL");
  Query query;
  for (const auto& param : url->params()) query[param.key] = param.value;
  const std::string& secret = query["secret"];
  if (settings.callback_secret.empty() || secret.size() != settings.callback_secret.size() ||
      CRYPTO_memcmp(secret.data(), settings.callback_secret.data(), secret.size()) != 0) {
    return refuse(Refusal::Kind::unauthorized, "bad or missing callback secret");
  }
  return query;
}

bool is_utf8(const std::string& bytes) {
  std::string round_trip;
  icu::UnicodeString::fromUTF8(bytes).toUTF8String(round_trip);
  return round_trip == bytes;
}

// Kannel hands over the text in the charset of the message (%C): UCS-2 messages come as
// UTF-16BE bytes unless the service converts them.
tl::expected<std::string, Refusal> to_utf8(const std::string& bytes, const std::string& charset) {
  if (charset.empty() || charset == "UTF-8" || charset == "utf-8") {
    if (!is_utf8(bytes)) return refuse(Refusal::Kind::malformed, "text is not valid UTF-8");
    return bytes;
  }
  UErrorCode status = U_ZERO_ERROR;
  std::string out(bytes.size() * 3 + 4, '\0');
  const int32_t length =
      ucnv_convert("UTF-8", charset.c_str(), out.data(), static_cast<int32_t>(out.size()),
                   bytes.data(), static_cast<int32_t>(bytes.size()), &status);
  if (U_FAILURE(status)) return refuse(Refusal::Kind::malformed, "unknown or broken charset");
  out.resize(static_cast<std::size_t>(length));
  return out;
}

bool is_gsm7_basic(UChar32 c) {
  static const std::set<UChar32> kBasic = [] {
    std::set<UChar32> set;
    const icu::UnicodeString chars = icu::UnicodeString::fromUTF8(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
        "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà");
    for (int32_t i = 0; i < chars.length(); i = chars.moveIndex32(i, 1))
      set.insert(chars.char32At(i));
    return set;
  }();
  return kBasic.contains(c);
}

bool is_gsm7_extension(UChar32 c) {
  return c == 0x0C || c == '^' || c == '{' || c == '}' || c == '\\' || c == '[' || c == '~' ||
         c == ']' || c == '|' || c == 0x20AC;
}

Segments count(const icu::UnicodeString& text) {
  Segments segments;
  std::size_t septets = 0;
  for (int32_t i = 0; i < text.length(); i = text.moveIndex32(i, 1)) {
    const UChar32 c = text.char32At(i);
    if (is_gsm7_basic(c)) {
      septets += 1;
    } else if (is_gsm7_extension(c)) {
      septets += 2;
    } else {
      segments.unicode = true;
      break;
    }
  }
  if (segments.unicode) {
    segments.units = static_cast<std::size_t>(text.length());
    segments.count = segments.units <= 70 ? 1 : (segments.units + 66) / 67;
  } else {
    segments.units = septets;
    segments.count = septets <= 160 ? 1 : (septets + 152) / 153;
  }
  if (text.isEmpty()) segments.count = 1;
  return segments;
}

std::string utf8_of(const icu::UnicodeString& text) {
  std::string out;
  text.toUTF8String(out);
  return out;
}

icu::UnicodeString trimmed(const icu::UnicodeString& text) {
  icu::UnicodeString copy(text);
  return copy.trim();
}

enum class Level { sentence, word, grapheme };

std::unique_ptr<icu::BreakIterator> iterator_for(Level level) {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> iterator;
  const icu::Locale root = icu::Locale::getRoot();
  switch (level) {
    case Level::sentence:
      iterator.reset(icu::BreakIterator::createSentenceInstance(root, status));
      break;
    case Level::word:
      iterator.reset(icu::BreakIterator::createLineInstance(root, status));
      break;
    case Level::grapheme:
      iterator.reset(icu::BreakIterator::createCharacterInstance(root, status));
      break;
  }
  if (U_FAILURE(status)) return nullptr;
  return iterator;
}

// Greedy: as many whole units (sentences, else words, else graphemes) per message as fit.
void split_into(const icu::UnicodeString& text, unsigned max_segments, Level level,
                std::vector<std::string>& out) {
  if (count(trimmed(text)).count <= max_segments) {
    if (!trimmed(text).isEmpty()) out.push_back(utf8_of(trimmed(text)));
    return;
  }
  auto iterator = iterator_for(level);
  if (!iterator) return;
  iterator->setText(text);
  std::vector<int32_t> bounds;
  for (int32_t at = iterator->first(); at != icu::BreakIterator::DONE; at = iterator->next()) {
    bounds.push_back(at);
  }
  // Whether the units start..to (exclusive bound index) fit; more units never fit better,
  // so the last end that fits is found by binary search: O(n log n) counting instead of
  // counting the piece again for every unit added (quadratic for a long text).
  const auto fits = [&](std::size_t start, std::size_t to) {
    return count(trimmed(icu::UnicodeString(text, bounds[start], bounds[to] - bounds[start])))
               .count <= max_segments;
  };
  std::size_t start = 0;
  while (start + 1 < bounds.size()) {
    std::size_t end = start + 1;  // at least one unit, even when it does not fit alone
    std::size_t low = end + 1;
    std::size_t high = bounds.size() - 1;
    while (low <= high) {
      const std::size_t middle = low + (high - low) / 2;
      if (fits(start, middle)) {
        end = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    const icu::UnicodeString piece(text, bounds[start], bounds[end] - bounds[start]);
    if (count(trimmed(piece)).count > max_segments && level != Level::grapheme) {
      split_into(piece, max_segments, level == Level::sentence ? Level::word : Level::grapheme,
                 out);
    } else if (!trimmed(piece).isEmpty()) {
      out.push_back(utf8_of(trimmed(piece)));
    }
    start = end;
  }
}

}  // namespace

Segments count_segments(std::string_view text) {
  return count(icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))));
}

std::vector<std::string> split_message(std::string_view text, unsigned max_segments) {
  std::vector<std::string> out;
  split_into(icu::UnicodeString::fromUTF8(
                 icu::StringPiece(text.data(), static_cast<int32_t>(text.size()))),
             std::max(1U, max_segments), Level::sentence, out);
  return out;
}

tl::expected<Inbound, Refusal> parse_inbound(const InboundRequest& request,
                                             const Settings& settings) {
  auto query = query_of(request, settings);
  if (!query) return tl::unexpected(query.error());
  MessageEvent event;
  event.channel_message_id = (*query)["id"];
  event.address = (*query)["from"];
  if (event.channel_message_id.empty() || event.address.empty()) {
    return refuse(Refusal::Kind::malformed, "callback lacks id or from");
  }
  // Both go on as text (pseudonym, reply address, deduplication key): no stray bytes.
  if (!is_utf8(event.channel_message_id) || !is_utf8(event.address)) {
    return refuse(Refusal::Kind::malformed, "id or from is not valid UTF-8");
  }
  auto text = to_utf8((*query)["text"], (*query)["charset"]);
  if (!text) return tl::unexpected(text.error());
  event.text = std::move(*text);
  const std::string& ts = (*query)["ts"];
  event.sent_at = ts.empty() ? 0 : std::strtoll(ts.c_str(), nullptr, 10);
  Inbound inbound;
  inbound.events.emplace_back(std::move(event));
  return inbound;
}

tl::expected<Inbound, Refusal> parse_delivery_report(const InboundRequest& request,
                                                     const Settings& settings) {
  auto query = query_of(request, settings);
  if (!query) return tl::unexpected(query.error());
  const std::string& reference = (*query)["ref"];
  const std::string& type = (*query)["type"];
  if (reference.empty() || type.empty())
    return refuse(Refusal::Kind::malformed, "DLR lacks ref or type");
  if (!is_utf8(reference)) return refuse(Refusal::Kind::malformed, "DLR ref is not valid UTF-8");
  StatusEvent status;
  status.provider_message_id = reference;  // our outbox id, echoed by Kannel
  switch (std::atoi(type.c_str())) {
    case 1:
      status.state = StatusEvent::State::delivered;
      break;
    case 2:
    case 16:
      status.state = StatusEvent::State::failed;
      status.error = type == "2" ? "delivery failed" : "rejected by the SMSC";
      break;
    case 8:
      status.state = StatusEvent::State::sent;
      break;
    default:  // 4: buffered at the SMSC; nothing changes yet
      return Inbound{};
  }
  Inbound inbound;
  inbound.events.emplace_back(std::move(status));
  return inbound;
}

HttpCall render(const OutboundMessage& message, const Settings& settings) {
  const std::string text = numbered_choices(message.text, message.choices);
  boost::urls::url url(settings.sendsms_url);
  // Every value fully percent-encoded: Kannel decodes a bare '+' as a space.
  auto params = url.encoded_params();
  const auto append = [&params](std::string_view key, std::string_view value) {
    params.append({key, boost::urls::encode(value, boost::urls::unreserved_chars)});
  };
  append("username", settings.username);
  append("password", settings.password);
  append("from", settings.sender);
  append("to", message.address);
  append("text", text);
  if (count_segments(text).unicode) {
    // Without coding=2, Kannel sends Cyrillic, Arabic or Devanagari as "???".
    append("coding", "2");
    append("charset", "UTF-8");
  }
  if (count_segments(text).count > 1) {
    append("max-messages", std::to_string(std::max(1U, settings.max_segments)));
  }
  if (!settings.dlr_url.empty() && !message.reference.empty()) {
    append("dlr-mask", "31");
    append("dlr-url", settings.dlr_url + "?secret=" + settings.callback_secret +
                          "&ref=" + message.reference + "&type=%d&smsc_id=%F");
  }
  HttpCall call;
  call.method = "GET";
  call.url = std::string(url.buffer());
  return call;
}

SendOutcome classify_response(const ProviderResponse& response) {
  SendOutcome outcome;
  outcome.reason =
      response.body.empty() ? "HTTP " + std::to_string(response.status) : response.body;
  if ((response.status == 202 || response.status == 200) &&
      (response.body.rfind("0:", 0) == 0 || response.body.rfind("3:", 0) == 0)) {
    outcome.kind = SendOutcome::Kind::sent;
    outcome.reason.clear();
    return outcome;
  }
  if (response.status == 0 || response.status >= 500) {
    outcome.kind = SendOutcome::Kind::retry;
    return outcome;
  }
  outcome.kind = SendOutcome::Kind::permanent;
  return outcome;
}

}  // namespace buurtlijn::connectors::kannel
