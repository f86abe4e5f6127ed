/**
 * Property: a correctly signed event is never a 500 because of its content. Every field of every
 * fixture is a candidate; a seeded random sample of (event, field, odd value) is sent through the real
 * handler, and each answer must be 200 (processed or ignored, stored) or 400 (refused, nothing
 * written). A 500 is kept for bugs, and this finds the ones content could trigger.
 */
import { describe, expect, it } from 'vitest';
import { hasPostgres } from '../support/pg.ts';
import { useHarness } from '../support/harness.ts';
import { fixtureNames, loadEvent, newEventId } from '../support/stripe-sign.ts';

type Json = Record<string, any>;
type Path = (string | number)[];

const ODD_VALUES: unknown[] = [null, -1, 0, 1.5, 1e20, 2 ** 53 + 2, '', 'x', '\u0000', '\uD800', {}, [], true, { id: 'x' }, [null]];

function leafPaths(value: unknown, path: Path = [], out: Path[] = []): Path[] {
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) leafPaths(item, [...path, Array.isArray(value) ? Number(key) : key], out);
    if (Object.keys(value).length === 0) out.push(path);
  } else {
    out.push(path);
  }
  return out;
}

function setAt(target: Json, path: Path, value: unknown): void {
  const parent = path.slice(0, -1).reduce<Json>((node, key) => node[key as string], target);
  parent[path[path.length - 1] as string] = value;
}

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 7;
const CASES = 250;

describe.skipIf(!hasPostgres)('odd shapes in signed events', () => {
  const h = useHarness();

  it(`are answered 200 or 400, never 500 (seed ${SEED}, ${CASES} cases)`, async () => {
    const next = random(SEED);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const name = pick(fixtureNames);
      const event = loadEvent(name) as unknown as Json;
      const path = pick(leafPaths(event).filter((p) => p[0] !== 'id'));
      const value = pick(ODD_VALUES);
      setAt(event, path, value);
      event.id = newEventId();
      const res = await h.post(event);
      const stored = await h.count('stripe_events', `id = '${event.id}'`);
      const expected = res.status === 200 ? 1 : res.status === 400 ? 0 : -1;
      if (stored !== expected) {
        failures.push(`case ${i}: ${name} ${path.join('.')} = ${JSON.stringify(value)} → ${res.status} ${JSON.stringify(res.body)}, ${stored} stored`);
      }
    }
    expect(failures).toEqual([]);
  });
});
