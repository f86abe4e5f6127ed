import { loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/open.ts';
import type { Database } from './db/port.ts';
import { createLogger, errorText, type Logger } from './log.ts';
import { redactText } from './redact.ts';
import { deliverConversions, type DeliveryDeps, type DeliveryReport, type DeliveryRun } from './outbox/deliver.ts';
import { mergingDeliveries } from './outbox/fast-path.ts';
import { fetchSend, type HttpSend } from './outbox/send.ts';

/**
 * Builds the real ports from the configuration, once per function instance, and hands the core
 * functions exactly what they need. Only entry files and scripts use this module.
 */
export interface App {
  config: Config;
  log: Logger;
  db: () => Promise<Database>;
  send: HttpSend;
  now: () => number;
  dryRun: boolean;
}

let current: Promise<App> | undefined;

export interface AppOverrides {
  config?: Config;
  send?: HttpSend;
  log?: Logger;
  dryRun?: boolean;
  /** The clock (ms since the epoch); tests pin it to their fixtures' time. */
  now?: () => number;
}

export function createApp(overrides: AppOverrides = {}): App {
  const config = overrides.config ?? loadConfig();
  const log = overrides.log ?? createLogger(config.logLevel);
  let db: Promise<Database> | undefined;
  return {
    config,
    log,
    // A failed open is not cached: the next request tries again.
    db: () => (db ??= openDatabase(config.storage, config.database).catch((error) => ((db = undefined), Promise.reject(error)))),
    send: overrides.send ?? fetchSend,
    now: overrides.now ?? (() => Date.now()),
    dryRun: overrides.dryRun ?? false,
  };
}

/** The instance's app; the local server installs its own before the first request. */
export function getApp(): Promise<App> {
  return (current ??= Promise.resolve().then(() => createApp()));
}

/**
 * The instance's app for a function's entry file, or the answer it gives while its settings are
 * invalid: a 500 (Stripe then keeps and retries its events once the settings are fixed) and one log
 * line naming the bad keys, never their values.
 */
export async function appOrMisconfigured(functionName: string): Promise<App | Response> {
  try {
    return await getApp();
  } catch (error) {
    // Whole (a ConfigError lists every bad key), and through the one redaction point.
    console.error(JSON.stringify({ level: 'error', msg: `${functionName} cannot start`, error: redactText(String(error)) }));
    return Response.json({ error: 'server misconfigured' }, { status: 500, headers: { 'cache-control': 'no-store' } });
  }
}

export function setApp(app: App | undefined): void {
  current = app ? Promise.resolve(app) : undefined;
}

export async function deliveryDeps(app: App): Promise<DeliveryDeps> {
  const { config } = app;
  return {
    db: await app.db(),
    send: app.send,
    now: app.now,
    log: app.log,
    settings: { tiktok: config.tiktok, meta: config.meta },
    batchSize: config.delivery.batchSize,
    leaseSeconds: config.delivery.leaseSeconds,
    concurrency: config.delivery.concurrency,
    timeoutMs: config.delivery.timeoutMs,
    dryRun: app.dryRun,
  };
}

/** Delivery that never throws: used where a failure may only be logged (waitUntil, schedules). */
export async function deliverSafely(app: App, run: DeliveryRun = {}): Promise<DeliveryReport | null> {
  if (run.ids && !run.deadline) return fastPathOf(app)(run.ids);
  return deliverNow(app, run);
}

async function deliverNow(app: App, run: DeliveryRun): Promise<DeliveryReport | null> {
  try {
    const report = await deliverConversions(await deliveryDeps(app), run);
    if (report.claimed > 0) app.log.info('conversions delivered', { ...report });
    return report;
  } catch (error) {
    app.log.error('conversion delivery failed; the scheduled drain will retry', { error: errorText(error) });
    return null;
  }
}

/** Each instance's after-response deliveries, merged while it is busy (src/outbox/fast-path.ts). */
const fastPaths = new WeakMap<App, (ids: number[]) => Promise<DeliveryReport | null>>();
function fastPathOf(app: App): (ids: number[]) => Promise<DeliveryReport | null> {
  let fastPath = fastPaths.get(app);
  if (!fastPath) fastPaths.set(app, (fastPath = mergingDeliveries((ids, claimed) => deliverNow(app, { ids, onClaimed: claimed }))));
  return fastPath;
}
