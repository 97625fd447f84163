-- Each request from one of 2,000 client addresses, as a shop's traffic comes from many
-- shoppers: the general API limit (100 requests a minute per client, docs/auth.md) would
-- otherwise refuse a single load generator after its first 100 requests. Every API
-- request still pays the limit's Durable Object call, which is part of what is measured.
local n = 0

function request()
  n = n + 1
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["CF-Connecting-IP"] = string.format("10.1.%d.%d", math.floor(n / 250) % 8, n % 250 + 1)
  return wrk.format(nil, nil, headers)
end
