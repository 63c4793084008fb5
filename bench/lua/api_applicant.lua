-- API scenario, single step: POST /api/v1/applicants with a fresh external id per request (the
-- tenant's external ids are unique, so a repeated one would be a 409, not a measurement).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local headers, run, n

function init(args)
  headers = {
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_API_KEY"),
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
  }
  run = os.getenv("BENCH_RUN_ID") or "0"
  n = 0
end

function request()
  mark_sent()
  n = n + 1
  local body = string.format(
    '{"external_id":"bench-%s-%d-%d","first_name":"Bench","last_name":"Load%d"}', run, tid, n, n)
  return wrk.format("POST", "/api/v1/applicants", headers, body)
end
