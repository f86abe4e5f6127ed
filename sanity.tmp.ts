import { connectPostgres } from './src/db/postgres.ts';
import { freshDatabase } from './test/support/pg.ts';
const t = await freshDatabase();
const db = connectPostgres(t.url, { timeoutMs: 800 });
console.log(await db.call('outbox_claim', { limit: 1, lease_seconds: 30, note: "it's a \\ test ' \u0000x".slice(0, 14) + ' Zoë 山田' }));
// server-side timeout: hold a lock on stripe_events? simpler: lock conversion_outbox table
const reserved = await t.sql.reserve();
await reserved`begin`; await reserved`lock table conversion_outbox in access exclusive mode`;
const t0 = Date.now();
try { await db.call('outbox_claim', { limit: 1 }); } catch (e: any) { console.log('err', Date.now() - t0, e.unavailable, e.message, e.cause?.code); }
await new Promise(r => setTimeout(r, 300));
console.log(await t.sql`select pid, state, wait_event_type, left(query, 60) as q from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
await reserved`rollback`; reserved.release();
console.log(await db.call('outbox_claim', { limit: 1 }));
await db.close(); await t.drop();
