"""Schemathesis hooks for scripts/schemathesis: each generated request comes from its own
client address (`cf-connecting-ip`, as Cloudflare sets it), so the worker's per-client
limits (the general API limit, cart writes, checkouts) measure the API, not the fuzzer's
request rate; a 429 would only hide what the API answers."""
import random

import schemathesis


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    # unique-local IPv6, one /64 per request (the limits count an IPv6 client per /64)
    ip = "fd5c:%x:%x:%x::1" % (random.getrandbits(16), random.getrandbits(16), random.getrandbits(16))
    headers = dict(case.headers or {})
    headers["cf-connecting-ip"] = ip
    case.headers = headers
