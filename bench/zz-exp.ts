import { benchWebhookLatency } from './webhook-latency.ts';
const r = await benchWebhookLatency({ n: 200, concurrencies: [], delayMs: 4000, warmup: 50 });
for (const s of r.scenarios) console.log(process.env.GAP, s.stripeApi, s.delayMs, s.response.p50.toFixed(2), s.response.p95.toFixed(2), s.response.p99.toFixed(2));
