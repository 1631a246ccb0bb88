-- wrk script: posts Telegram updates to /webhooks/telegram, each with a unique update_id
-- and message_id, from 4,096 different chats, with realistic texts in several languages.
-- Every thread numbers its updates from its own offset, so ids never collide.
-- Optional pacing: WRK_RATE (requests/s over all connections) spaces the requests of each
-- connection evenly (wrk has no constant-throughput mode; see bench/README.md).

local texts = {
  "Cum mă înregistrez la gemeente?",
  "cum ma inregistrez in brp",
  "Как да се регистрирам в общината?",
  "kak da si napravq bsn",
  "Як зареєструватися в gemeente?",
  "Jak zarejestrować się w gminie?",
  "how do I get a milieupas",
  "Waar kan ik grofvuil kwijt?",
  "mijn huisbaas houdt de borg",
  "Wie melde ich mich an?",
  "¿Dónde consigo el BSN?",
  "كيف أسجل في البلدية؟",
  "如何在市政厅登记？",
  "चाबी नहीं मिली मकान मालिक से",
  "ሰላም ከመይ ኣለኹም",
  "menu",
}

local secret = os.getenv("BENCH_TELEGRAM_SECRET") or "bench-secret"
local rate = tonumber(os.getenv("WRK_RATE") or "0")
local counter = 0
local connections = 64
-- Set per thread by setup(); a global, because thread:set() sets globals. BENCH_ID_BASE
-- keeps the ids of consecutive runs against the same server apart.
offset = 0

function setup(thread)
  local base = tonumber(os.getenv("BENCH_ID_BASE") or "0")
  thread:set("offset", base + (thread_count or 0) * 100000000)
  thread_count = (thread_count or 0) + 1
end

function init(args)
  connections = tonumber(os.getenv("WRK_CONNECTIONS") or "64")
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Telegram-Bot-Api-Secret-Token"] = secret
end

local function escape(s)
  return (s:gsub('\\', '\\\\'):gsub('"', '\\"'))
end

function request()
  counter = counter + 1
  local id = offset + counter
  local chat = 1000000 + (id % 4096)
  local text = texts[(id % #texts) + 1]
  local body = string.format(
    '{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,' ..
    '"first_name":"Bench"},"chat":{"id":%d,"first_name":"Bench","type":"private"},' ..
    '"date":1764282200,"text":"%s"}}', id, id, chat, chat, escape(text))
  return wrk.format(nil, nil, nil, body)
end

-- wrk calls delay() before each request of a connection: with R requests/s wanted over
-- C connections, each connection waits about C/R seconds between its requests.
if rate > 0 then
  function delay()
    return math.floor(connections * 1000 / rate)
  end
end

-- One machine-readable line for bench/run (latency in microseconds).
function done(summary, latency, requests)
  local non2xx = summary.errors.status
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                        summary.errors.timeout
  io.write(string.format(
    "BENCH requests=%d seconds=%.3f non2xx=%d socket_errors=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration / 1e6, non2xx, socket_errors,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
