-- GET one URL as many shoppers: each request comes from one of 254 client addresses
-- (CF-Connecting-IP, as Cloudflare sets it), so per-client rate limits (600 database reads
-- a minute) measure a busy shop rather than one client being refused, while each client
-- still makes many requests, as shoppers do.
-- BENCH_HOST is the Host header.
local host = os.getenv("BENCH_HOST") or "localhost"

function init(args)
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
end

function request()
  local ip = string.format("10.0.0.%d", math.random(1, 254))
  return wrk.format("GET", nil, {["Host"] = host, ["CF-Connecting-IP"] = ip})
end
