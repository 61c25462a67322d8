-- wrk script: signed WeChat text messages from many villagers (benchmarks/wechat_webhook.py runs it).
--   wrk -t1 -c50 -d20s -s benchmarks/wechat_load.lua http://127.0.0.1:PORT -- PLAN.lua
-- PLAN.lua (written by benchmarks/wechat_traffic.py) holds the villagers, their texts, the first
-- MsgId and signed query strings; request n is villager n % users's (n // users)-th message, the
-- same numbering the Python side uses to check every stored reply afterwards. Each reply is
-- checked here too: HTTP status, the handler-error apology, and empty answers ("success":
-- the reply was deferred past the 5-second budget). done() prints one JSON line.

local SORRY = "系统刚才出了点问题"
local threads = {}
local plan, n
tid = 0  -- set per thread by setup()
bad_status, sorry, deferred, sent = 0, 0, 0, 0

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  plan = dofile(args[1])
  n = tid - plan.threads
end

local function text_of(i)
  local villager, step = i % plan.users, math.floor(i / plan.users)
  if plan.workload == "registration" then
    return plan.registration[step % #plan.registration + 1]
  end
  if villager % 2 == 1 then
    if step < #plan.registration then return plan.registration[step + 1] end
    step = step - #plan.registration
  end
  return plan.mixed[step % #plan.mixed + 1]
end

local headers = { ["Content-Type"] = "text/xml" }

function request()
  n = n + plan.threads
  sent = sent + 1
  local openid = string.format("o%s%021d", plan.prefix, n % plan.users)
  local body = "<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[" .. openid
    .. "]]></FromUserName><CreateTime>" .. os.time() .. "</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    .. "<Content><![CDATA[" .. text_of(n) .. "]]></Content><MsgId>"
    .. string.format("%.0f", plan.base + n) .. "</MsgId></xml>"
  local path = "/wechat?" .. plan.queries[n % #plan.queries + 1] .. "&openid=" .. openid
  return wrk.format("POST", path, headers, body)
end

function response(status, _, body)
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif body == nil or #body < 16 then
    deferred = deferred + 1
  elseif string.find(body, SORRY, 1, true) then
    sorry = sorry + 1
  end
end

function done(summary, latency, _)
  local totals = { bad_status = 0, sorry = 0, deferred = 0, sent = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do totals[key] = totals[key] + thread:get(key) end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, "socket_errors": %d, '
    .. '"bad_status": %d, "sorry": %d, "deferred": %d, "sent": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, totals.bad_status, totals.sorry, totals.deferred, totals.sent))
end
