-- log_queries.lua -- wrk script of the HTTP benchmarks (bench_http.sh,
-- tests/bench/server_cpu.sh): GET /api/search for each query of the log
-- given after "--" ("qid<TAB>query" or a bare query a line).  Prints
-- "RESULT requests/s p50_us p99_us non2xx socket_errors timeouts requests".
-- Each thread URL-encodes the query log once, then walks it from its own
-- offset so that threads do not ask the same query at the same time.
local paths, i = {}, 1
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
function init(args)
  for line in io.lines(args[1]) do
    local q = line:match("\t(.*)$") or line -- "qid<TAB>query" or a bare query
    if #q > 0 then paths[#paths + 1] = "/api/search?q=" .. encode(q) end
  end
  i = ((id or 1) - 1) * 997 % #paths + 1
end
function request()
  local p = paths[i]
  i = i % #paths + 1
  return wrk.format("GET", p)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %.1f %d %d %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, summary.requests))
end
