-- GET scenarios: the back-office pages (queue, deep page, search, application page).
-- With BENCH_INPUT, each request takes the next path from this thread's share of the file, round
-- robin, so the server cannot answer from one hot row; without it, the URL given to wrk is used.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local paths, i, headers

function init(args)
  paths = load_inputs()
  headers = base_headers()
  i = 0
end

function request()
  mark_sent()
  if #paths == 0 then
    return wrk.format("GET", nil, headers)
  end
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end
