-- wrk script: cycles the tokens of the file named by the first argument, one a line, as "Authorization: Bearer" (the
-- requests are formatted once, in init), and on exit writes one JSON line of results to the file named by WRK_OUT.
-- With no token file ("-"), plain GET requests. With WRK_DELAY_MS set, each connection waits that long after each
-- response (a rate-limited flood). Tokens are never printed.
local requests = {}
local next_request = 0

local pause = tonumber(os.getenv("WRK_DELAY_MS") or "0")
if pause > 0 then
  function delay()
    return pause
  end
end

function init(args)
  math.randomseed(os.time() + os.clock() * 1e6)
  local path = args[1]
  if path == nil or path == "-" then
    requests[1] = wrk.format("GET", wrk.path)
  else
    for token in io.lines(path) do
      if token ~= "" then
        requests[#requests + 1] = wrk.format("GET", wrk.path, { ["Authorization"] = "Bearer " .. token })
      end
    end
  end
  -- each run starts at a different place in the cycle, so consecutive runs do not replay the same order
  next_request = math.random(#requests) - 1
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end

function done(summary, latency, _)
  local out = os.getenv("WRK_OUT")
  if out == nil then return end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local f = assert(io.open(out, "w"))
  f:write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
  f:close()
end
