-- Decision scenario: POST /applications/{id}/decision (outcome=accept) as the reviewer's browser
-- would send it without htmx (a 303 back to the page on success).
-- An application can be decided once, so every request takes its own "id version" line. When a
-- thread's share is used up its connections go idle (delay()) and the thread stops at its last
-- response; throughput is then computed from the active time (first request to last response),
-- not from wrk's fixed duration.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local items, i, reserved, headers, csrf

function init(args)
  items = load_inputs()
  headers = base_headers()
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  -- The CSRF guard wants a same-origin request: this is what a browser sends for its own form.
  headers["Sec-Fetch-Site"] = "same-origin"
  csrf = os.getenv("BENCH_CSRF")
  i, reserved = 0, 0
end

-- wrk asks before every request (the first included) how long to wait: a connection gets the
-- go-ahead only while unreserved items remain, otherwise it waits far longer than the run.
function delay()
  if reserved >= #items then return 3600000 end
  reserved = reserved + 1
  return 0
end

function request()
  mark_sent()
  i = i + 1
  local item = items[i]
  if item == nil then
    -- Not reachable when delay() ran first; a harmless request that response() leaves out.
    return wrk.format("GET", "/healthz")
  end
  local id, version = string.match(item, "(%S+)%s+(%S+)")
  local body = "csrf_token=" .. csrf .. "&version=" .. version .. "&outcome=accept"
  return wrk.format("POST", "/applications/" .. id .. "/decision", headers, body)
end

function response(status, hdrs, body)
  if status == 200 and body == "ok" then return end
  count_response(status, body)
  if responses >= #items then wrk.thread:stop() end
end
