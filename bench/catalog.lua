-- Catalog list reads with parameters that vary per request (sort × page offset × page
-- size: 12,000 combinations), so almost every read misses the cache. BENCH_TARGET=worker
-- asks Shoal's JSON API; BENCH_TARGET=postgrest calls the same database function on
-- PostgREST directly with a shopper's token (BENCH_TOKEN). Misses are counted from the
-- worker's x-shoal-cache header.
local threads = {}
local sorts = {"newest", "price_asc", "price_desc", "title"}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  target = os.getenv("BENCH_TARGET") or "worker"
  token = os.getenv("BENCH_TOKEN") or ""
  misses, hits = 0, 0
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
end

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", string.byte(c)) end))
end

function request()
  local offset = math.random(0, 29)
  local limit = math.random(1, 100)
  local sort = sorts[math.random(1, 4)]
  if target == "postgrest" then
    local body = string.format('{"p_sort":"%s","p_offset":%d,"p_limit":%d}', sort, offset, limit)
    return wrk.format("POST", "/rpc/store_list_products",
      {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
  end
  -- reads from 254 client addresses, as a busy shop's shoppers (per-client limits)
  local ip = string.format("10.0.0.%d", math.random(1, 254))
  return wrk.format("GET", string.format("/api/v1/store/products?sort=%s&limit=%d&cursor=%s", sort, limit, hex("o:" .. offset)),
    {["Host"] = "acme.localhost", ["CF-Connecting-IP"] = ip})
end

function response(status, headers, body)
  local cache = headers["x-shoal-cache"] or headers["X-Shoal-Cache"]
  if cache == "miss" then misses = misses + 1 elseif cache == "hit" then hits = hits + 1 end
end

function done(summary, latency, requests)
  local m, h = 0, 0
  for _, t in ipairs(threads) do
    m = m + (t:get("misses") or 0)
    h = h + (t:get("hits") or 0)
  end
  io.stderr:write(string.format("cache misses %d, hits %d\n", m, h))
end
