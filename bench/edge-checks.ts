/**
 * What the webhook's edge checks cost per event: cleaning typed text (sanitizeJson) and validating
 * the envelope and object (validateEvent), in-process on the parsed body, next to JSON.parse of the
 * same body for scale. Ordinary events are the fixtures; the worst cases are a body near the 1 MiB
 * limit full of NUL and lone surrogates, and nesting at and far beyond the 64-level bound.
 */
import { sanitizeJson } from '../src/webhook/sanitize.ts';
import { validateEvent } from '../src/webhook/schema/event.ts';
import { eventBody, fixtureNames, loadEvent } from '../test/support/stripe-sign.ts';
import { ms, table } from './stats.ts';

export interface EdgeCheckRow {
  name: string;
  bodyBytes: number;
  parseMs: number;
  checkMs: number;
  verdict: string;
}

function oddTextBody(): string {
  const event = loadEvent('checkout.session.completed.payment.usd.paid');
  const odd = 'Zoë\u0000\uD800 Ångström 😀 '.repeat(9_000);
  event.data.object.metadata = { note: odd, note2: odd };
  return eventBody(event);
}

function nestedBody(depth: number): string {
  return eventBody(loadEvent('customer.created')).replace('"data":{', `"data":{"deep":${'['.repeat(depth)}${']'.repeat(depth)},`);
}

/** Mean milliseconds per call over enough repetitions to last about `budgetMs`. */
function timePerCall(fn: () => unknown, budgetMs = 100): number {
  for (const started = performance.now(); performance.now() - started < budgetMs / 3; ) fn(); // JIT warm-up
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) {
    fn();
    calls++;
  }
  return (performance.now() - started) / calls;
}

function measure(name: string, body: string): EdgeCheckRow {
  const parsed = JSON.parse(body) as unknown;
  const check = () => {
    const clean = sanitizeJson(parsed);
    return clean.ok ? validateEvent(clean.value) : clean;
  };
  const result = check();
  return {
    name,
    bodyBytes: Buffer.byteLength(body),
    parseMs: timePerCall(() => JSON.parse(body)),
    checkMs: timePerCall(check),
    verdict: result.ok ? 'accepted' : `refused: ${result.reason}`,
  };
}

export function benchEdgeChecks(): EdgeCheckRow[] {
  // zod compiles each schema on its first parses: warm every object schema before timing any.
  for (const name of fixtureNames) measure(name, eventBody(loadEvent(name)));
  return [
    ...fixtureNames.map((name) => measure(name, eventBody(loadEvent(name)))),
    measure('odd text: 2 × 270 KB metadata with NUL and lone surrogates', oddTextBody()),
    measure('nesting 64 levels (the bound)', nestedBody(62)),
    measure('nesting 200,000 levels', nestedBody(200_000)),
  ];
}

export function edgeCheckSection(rows: readonly EdgeCheckRow[]): string[] {
  const fixtures = rows.filter((r) => fixtureNames.includes(r.name as never));
  const worst = Math.max(...fixtures.map((r) => r.checkMs));
  return [
    '## Edge checks on each signed event',
    '',
    'In-process cost of `sanitizeJson` + `validateEvent` (src/webhook) on the parsed body, the two steps every signed ' +
      'event passes before anything else reads it, with `JSON.parse` of the same body for scale. Mean per call.',
    '',
    table(
      ['event', 'body', 'JSON.parse ms', 'checks ms', 'verdict'],
      rows.map((r) => [r.name, `${r.bodyBytes.toLocaleString('en')} B`, ms(r.parseMs), ms(r.checkMs), r.verdict]),
    ),
    '',
    `On the fixtures the checks take at most ${ms(worst)} ms per event, against milliseconds for the database ` +
      'round trip; deep nesting is refused at the bound, so its cost does not grow with the depth beyond it.',
    '',
  ];
}
