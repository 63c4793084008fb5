-- Shared by every wrk scenario (loaded with dofile from the scenario script).
--
-- wrk runs one Lua state per thread plus one for setup()/done(); the only way to get numbers
-- out of the thread states is thread:get() in done(), so every thread keeps its counters in globals.
--
-- Environment (set by bench/wrk.py):
--   BENCH_THREADS   number of wrk threads (each thread takes every n-th line of the input file)
--   BENCH_INPUT     optional file, one input per line (a path, or "id version" for decisions)
--   BENCH_COOKIE    the back-office session cookie ("name=value"), if any
--   BENCH_EXPECT    comma-separated statuses that count as success (default "200"); anything else
--                   is counted as "unexpected" — wrk itself only counts >= 400 as errors, and a
--                   303 to /login (a lost session) must not pass as a fast success.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")

-- Monotonic microseconds: wrk's own duration is the full -d even when a thread stops early.
function now_us()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local threads = {}
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

-- Per-thread state (globals so that done() can read them with thread:get).
responses = 0
unexpected = 0
first_us = 0
last_us = 0
sample = ""

local expected = {}
for code in string.gmatch(os.getenv("BENCH_EXPECT") or "200", "%d+") do
  expected[tonumber(code)] = true
end

-- This thread's share of the input file: lines tid+1, tid+1+n, ...
function load_inputs()
  local path = os.getenv("BENCH_INPUT")
  local items = {}
  if not path or path == "" then return items end
  local n = tonumber(os.getenv("BENCH_THREADS") or "1")
  local i = 0
  for line in io.lines(path) do
    if line ~= "" then
      if i % n == tid then table.insert(items, line) end
      i = i + 1
    end
  end
  return items
end

function base_headers()
  local h = { ["Accept"] = "text/html" }
  local cookie = os.getenv("BENCH_COOKIE")
  if cookie and cookie ~= "" then h["Cookie"] = cookie end
  return h
end

function mark_sent()
  if first_us == 0 then first_us = now_us() end
end

-- Counts a response; returns whether it was one of the expected statuses.
function count_response(status, body)
  responses = responses + 1
  last_us = now_us()
  if not expected[status] then
    unexpected = unexpected + 1
    if sample == "" then
      sample = tostring(status) .. " " .. string.sub(body or "", 1, 200)
    end
    return false
  end
  return true
end

function response(status, headers, body)
  count_response(status, body)
end

local function json_string(s)
  s = string.gsub(s, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end)
  return '"' .. s .. '"'
end

-- One JSON line on stdout, prefixed so bench/wrk.py can find it among wrk's own report.
function done(summary, latency, requests)
  local resp, bad, first, last, samples = 0, 0, nil, nil, {}
  for _, t in ipairs(threads) do
    resp = resp + (t:get("responses") or 0)
    bad = bad + (t:get("unexpected") or 0)
    local f, l = t:get("first_us") or 0, t:get("last_us") or 0
    if f > 0 and (first == nil or f < first) then first = f end
    if l > 0 and (last == nil or l > last) then last = l end
    local s = t:get("sample") or ""
    if s ~= "" then table.insert(samples, json_string(s)) end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"status_errors":%d,' ..
    '"responses":%d,"unexpected":%d,"active_us":%.0f,' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},"samples":[%s]}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    resp, bad, (first and last) and (last - first) or 0,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(samples, ",")))
end
