-- Replays pre-signed Stripe events (file: "signature<TAB>body" per line). Each wrk thread
-- takes its own share of lines, so every request carries a distinct event until the file
-- runs out; with BENCH_REPEAT=1 every request repeats the first event (duplicates).
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  events = {}
  local path = os.getenv("BENCH_EVENTS")
  local n_threads = tonumber(os.getenv("BENCH_THREADS") or "2")
  local i = 0
  for line in io.lines(path) do
    if os.getenv("BENCH_REPEAT") == "1" or i % n_threads == tid - 1 then
      local sig, body = line:match("^([^\t]+)\t(.*)$")
      table.insert(events, {sig = sig, body = body})
    end
    i = i + 1
    if os.getenv("BENCH_REPEAT") == "1" then break end
  end
  next_event = 1
  exhausted = 0
end

function request()
  local e = events[next_event]
  if next_event < #events then next_event = next_event + 1 else exhausted = exhausted + 1 end
  return wrk.format("POST", "/webhooks/stripe",
    {["Host"] = "localhost", ["Content-Type"] = "application/json", ["Stripe-Signature"] = e.sig}, e.body)
end
