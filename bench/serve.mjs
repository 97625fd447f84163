// Serves a built worker on workerd through Miniflare's API, the runtime `wrangler dev`
// embeds, but without wrangler's dev proxy and inspector (which make every console.log
// a devtools round trip and would dominate the figures). Both benchmarked workers run
// this way. Bindings mirror wrangler.toml: KV `CACHE`, Durable Object `RATE_LIMITER`.
//   node bench/serve.mjs <worker/build/index.js> <port> [NAME=value ...]
import { Miniflare } from "miniflare";

const [script, port, ...vars] = process.argv.slice(2);
const bindings = Object.fromEntries(vars.map((v) => { const i = v.indexOf("="); return [v.slice(0, i), v.slice(i + 1)]; }));
const mf = new Miniflare({
  modules: true,
  scriptPath: script,
  modulesRoot: script.replace(/\/[^/]+$/, ""),
  modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2026-04-01",
  kvNamespaces: ["CACHE"],
  durableObjects: { RATE_LIMITER: { className: "RateLimiter", useSQLite: true } },
  // as wrangler.toml binds it: the general API limit (worker/src/rate_limit.rs `api`)
  ratelimits: { API_LIMIT: { simple: { limit: 100, period: 60 } } },
  bindings,
  port: Number(port),
  host: "127.0.0.1",
  cf: { colo: "LOCAL", country: "XX" },
});
await mf.ready;
console.error(`serving ${script} on 127.0.0.1:${port}`);
const stop = async () => { await mf.dispose(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
