-- wrk script for ledger-bench's tile requests (issue 29): GETs of one kind of /tlog resource.
--   wrk ... -s bench/TlogBench/tiles.lua http://127.0.0.1:<port> -- <kind> <full tiles>
-- kind: "tiles" (random full level-0 hash tiles), "bundles" (random full entry bundles),
-- "bundles-gzip" (the same, accepting gzip) or "checkpoint"; full tiles: how many full level-0 tiles the log has (indexes 0 to n - 1).
-- done() prints one line, "tlog-result <requests> <seconds> <p50 us> <p99 us> <errors>", which
-- ledger-bench reads.
local kind = "checkpoint"
local full = 1

-- c2sp.org/tlog-tiles: 1234067 is x001/x234/067.
local function indexPath(n)
  local groups = {}
  repeat
    table.insert(groups, 1, string.format("%03d", n % 1000))
    n = math.floor(n / 1000)
  until n == 0
  for i = 1, #groups - 1 do groups[i] = "x" .. groups[i] end
  return table.concat(groups, "/")
end

function init(args)
  kind = args[1] or kind
  full = tonumber(args[2] or "1")
  -- Each thread its own sequence: its table's address differs.
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003))
end

function request()
  if kind == "tiles" then
    return wrk.format("GET", "/tlog/tile/0/" .. indexPath(math.random(0, full - 1)))
  elseif kind == "bundles" then
    return wrk.format("GET", "/tlog/tile/entries/" .. indexPath(math.random(0, full - 1)))
  elseif kind == "bundles-gzip" then
    return wrk.format("GET", "/tlog/tile/entries/" .. indexPath(math.random(0, full - 1)), {["Accept-Encoding"] = "gzip"})
  end
  return wrk.format("GET", "/tlog/checkpoint")
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format("tlog-result %d %.6f %d %d %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50), latency:percentile(99), errors))
end
