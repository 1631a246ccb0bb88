// See report_turns.hpp.
#include "gateway/report_turns.hpp"

#include <unicode/uchar.h>

#include <boost/json.hpp>
#include <cctype>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "cases/case_service.hpp"
#include "dialogs/content.hpp"
#include "dialogs/icu_message.hpp"
#include "gateway/forwarders.hpp"
#include "gateway/log.hpp"
#include "gateway/store_await.hpp"
#include "store/case_store.hpp"

namespace buurtlijn::gateway {
namespace {

// The word for "status" in the 16 languages, folded (fold_for_matching): what the
// catalogs' report_created texts tell people to send.
constexpr std::string_view kStatusWords[] = {
    "status", "stare", "статус", "statut", "estado", "stato", "stan",    "حالة",
    "حاله",   "وضعیت", "状态",   "狀態",   "स्थिति",  "ኩነታት",  "zustand", "toestand"};

std::string folded_word(std::string_view word) {
  return dialogs::fold_for_matching(word);
}

// A run of decimal digits in any script ("4821", "٤٨٢١", "۴۸۲۱"); nullopt otherwise.
std::optional<std::int64_t> digits_value(std::string_view text) {
  const icu::UnicodeString digits = dialogs::icu_message::to_unicode(text);
  if (digits.isEmpty() || digits.countChar32() > 9) return std::nullopt;
  std::int64_t value = 0;
  for (int32_t i = 0; i < digits.length(); i = digits.moveIndex32(i, 1)) {
    const int32_t digit = u_charDigitValue(digits.char32At(i));
    if (digit < 0) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::int64_t to_ms(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

// "7411 AB 12" or "Brinkgreverweg 12, 7411AB Deventer": the postcode in it, if any.
std::string postcode_in(std::string_view text) {
  for (std::size_t i = 0; i + 6 <= text.size(); ++i) {
    const auto digit = [&](std::size_t k) { return text[k] >= '0' && text[k] <= '9'; };
    if (i > 0 && std::isalnum(static_cast<unsigned char>(text[i - 1]))) continue;
    if (!digit(i) || !digit(i + 1) || !digit(i + 2) || !digit(i + 3) || text[i] == '0') continue;
    std::size_t j = i + 4;
    if (j < text.size() && text[j] == ' ') ++j;
    if (j + 2 <= text.size() && std::isalpha(static_cast<unsigned char>(text[j])) &&
        std::isalpha(static_cast<unsigned char>(text[j + 1])) &&
        (j + 2 == text.size() || !std::isalpha(static_cast<unsigned char>(text[j + 2])))) {
      return std::string(text.substr(i, 4)) + std::string(text.substr(j, 2));
    }
  }
  return {};
}

dialogs::Reply render_reply(const dialogs::Content& content,
                            const dialogs::ConversationState& state, std::string_view message,
                            const dialogs::Arguments& arguments) {
  dialogs::Reply reply;
  const auto text = content.render(dialogs::message_key(message), state.language,
                                   state.second_language, arguments);
  if (text) {
    reply.text = text->text;
    reply.language = text->language;
    reply.fallback = text->fallback;
  } else {
    log::warn("report.reply_missing", {{"message", std::string(message)}});
    reply.text = std::string(message);
    reply.language = "nl";
    reply.fallback = true;
  }
  const dialogs::LanguageInfo* info = content.language(reply.language);
  reply.right_to_left = info != nullptr && info->right_to_left;
  return reply;
}

}  // namespace

std::optional<std::int64_t> status_query(std::string_view text) {
  const std::string folded = dialogs::fold_for_matching(text);
  const std::size_t space = folded.rfind(' ');
  if (space == std::string::npos) return std::nullopt;
  const std::string word = folded.substr(0, space);
  const std::optional<std::int64_t> number = digits_value(folded.substr(space + 1));
  if (!number || *number <= 0) return std::nullopt;
  for (std::string_view candidate : kStatusWords) {
    if (folded_word(candidate) == word) return number;
  }
  return std::nullopt;
}

boost::asio::awaitable<ReportResult> create_chat_report(store::Store& store,
                                                        const CaseRuntime& cases,
                                                        const ReportRequest& request) {
  const dialogs::ReportForm& form = request.action.report;
  cases::ReportInput input;
  input.category = form.category;
  if (form.has_location) input.location = cases::GeoPoint{form.latitude, form.longitude};
  input.address = form.address.substr(0, 200);
  input.postcode = postcode_in(form.address);
  input.description = form.description;
  input.photo_ref = form.photo_ref;
  input.language = request.language;
  input.channel = request.channel;
  input.source = "chat";
  input.wants_updates = request.action.wants_updates;
  if (request.action.wants_updates) {
    input.subject_pseudonym = request.subject_pseudonym;
    input.contact_address = request.contact_address;
  }
  boost::json::object attributes;
  if (!form.fraction.empty()) attributes["fraction"] = form.fraction;
  if (!form.details.empty()) attributes["details"] = form.details;
  input.attributes_json = boost::json::serialize(attributes);
  input.at_ms = to_ms(request.now);
  {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(request.now);
    std::tm local{};
    localtime_r(&seconds, &local);
    input.local_hour = local.tm_hour;  // for routing rules with hours
  }

  ReportResult result;
  result.message = "report_failed";
  std::mt19937_64 random{std::random_device{}()};
  auto planned = cases::plan_report(input, cases.areas, cases.settings, store.cases(), random);
  if (!planned) {
    log::warn("report.refused", {{"category", form.category}, {"reason", planned.error().reason}});
    co_return result;
  }
  // A photo sent through WhatsApp or Telegram is fetched later by the outbox's "media"
  // channel (gateway/media_jobs.hpp), never inside this request.
  if (cases.fetch_photos && !form.photo_ref.empty() &&
      (request.channel == "whatsapp" || request.channel == "telegram")) {
    const boost::json::object media{
        {"channel", request.channel}, {"media_id", form.photo_ref}, {"lang", request.language}};
    planned->write.media =
        store::QueuedMedia{boost::json::serialize(media), request.subject_pseudonym};
  }
  planned->write.source_message = request.source_message;
  attach_forwards(cases.forwarding, planned->write);  // queued with the case, same write
  const auto submit = [&store, &planned](auto done) {
    store.cases().create_report(planned->write, std::move(done));
  };
  auto created = co_await await_callback<store::Result<store::ReportCreated>>(submit);
  if (!created) {
    log::warn("report.store_failed", {{"reason", created.error().message}});
    co_return result;
  }
  result.public_number = created->public_number;
  result.case_id = created->case_id;
  result.message = planned->area.known() ? "report_created" : "report_created_unknown_area";
  log::info("report.created", {{"category", form.category},
                               {"area_source", planned->area_source},
                               {"joined_existing", created->joined_existing},
                               {"redelivered", created->already_existed}});
  co_return result;
}

dialogs::Reply report_reply(const dialogs::Content& content,
                            const dialogs::ConversationState& state, const ReportResult& result) {
  dialogs::Arguments arguments;
  if (result.public_number > 0) arguments["number"] = std::to_string(result.public_number);
  return render_reply(content, state, result.message, arguments);
}

dialogs::Reply status_query_reply(const dialogs::Content& content,
                                  const dialogs::ConversationState& state, std::int64_t number,
                                  store::Store& store, const CaseRuntime& cases) {
  dialogs::Reply reply;
  const std::string language = content.has_language(state.language) ? state.language : "nl";
  auto text = cases::status_reply(number, language, store.cases(), cases.texts);
  if (!text) {
    log::warn("report.status_failed", {{"reason", text.error().reason}});
    return render_reply(content, state, "report_failed", {});
  }
  reply.text = *text;
  reply.language = language;
  const dialogs::LanguageInfo* info = content.language(language);
  reply.right_to_left = info != nullptr && info->right_to_left;
  return reply;
}

}  // namespace buurtlijn::gateway
