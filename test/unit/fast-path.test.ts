import { describe, expect, it } from 'vitest';
import { mergingDeliveries } from '../../src/outbox/fast-path.ts';

/** A delivery whose claim and whose end the test releases by hand, recording each call's ids. */
function controlled() {
  const calls: number[][] = [];
  const claims: (() => void)[] = [];
  const ends: (() => void)[] = [];
  const deliver = (ids: number[], claimed: () => void) => {
    calls.push([...ids]);
    claims.push(claimed);
    return new Promise<string>((resolve) => ends.push(() => resolve(`delivered ${ids.join(',')}`)));
  };
  return { calls, claims, ends, deliver };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('merging after-response deliveries', () => {
  it('delivers at once while the instance is idle', async () => {
    const c = controlled();
    const merged = mergingDeliveries(c.deliver);
    const one = merged([1, 2]);
    expect(c.calls).toEqual([[1, 2]]);
    c.ends[0]!();
    expect(await one).toBe('delivered 1,2');
  });

  it('merges the rows of webhooks that finish during a claim into the next claim, and answers each caller', async () => {
    const c = controlled();
    const merged = mergingDeliveries(c.deliver);
    const first = merged([1]);
    const second = merged([2]);
    const third = merged([3, 4]);
    expect(c.calls).toEqual([[1]]);
    // The next claim starts as soon as the first is back, while the first is still sending.
    c.claims[0]!();
    await tick();
    expect(c.calls).toEqual([[1], [2, 3, 4]]);
    const fourth = merged([5]);
    c.claims[1]!();
    c.ends[1]!();
    await tick();
    expect(c.calls).toEqual([[1], [2, 3, 4], [5]]);
    c.ends[0]!();
    c.ends[2]!();
    expect(await Promise.all([first, second, third, fourth])).toEqual(['delivered 1', 'delivered 2,3,4', 'delivered 2,3,4', 'delivered 5']);
  });

  it('never waits for a platform: a delivery that ends without calling back releases the next claim too', async () => {
    const c = controlled();
    const merged = mergingDeliveries(c.deliver);
    void merged([1]);
    const next = merged([2]);
    c.ends[0]!();
    await tick();
    expect(c.calls).toEqual([[1], [2]]);
    c.ends[1]!();
    expect(await next).toBe('delivered 2');
  });

  it('never merges more rows than one claim takes', () => {
    const c = controlled();
    const merged = mergingDeliveries(c.deliver);
    void merged([0]);
    void merged(Array.from({ length: 600 }, (_, i) => i + 1));
    void merged(Array.from({ length: 600 }, (_, i) => i + 1001));
    expect(c.calls.map((ids) => ids.length)).toEqual([1, 600]);
  });
});
