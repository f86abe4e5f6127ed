import { describe, expect, it } from 'vitest';
import { mergingDeliveries } from '../../src/outbox/fast-path.ts';

/** A delivery the test finishes by hand, recording which ids each call carried. */
function controlled() {
  const calls: number[][] = [];
  const finish: (() => void)[] = [];
  const deliver = (ids: number[]) => {
    calls.push([...ids]);
    return new Promise<string>((resolve) => finish.push(() => resolve(`delivered ${ids.join(',')}`)));
  };
  return { calls, finish, deliver };
}
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('merging after-response deliveries', () => {
  it('delivers at once while the instance is idle', async () => {
    const c = controlled();
    const merged = mergingDeliveries(c.deliver, 2);
    const one = merged([1, 2]);
    expect(c.calls).toEqual([[1, 2]]);
    c.finish[0]!();
    expect(await one).toBe('delivered 1,2');
  });

  it('merges the rows of webhooks that finish while deliveries are running, and answers each caller', async () => {
    const c = controlled();
    const merged = mergingDeliveries(c.deliver, 2);
    const first = merged([1]);
    const second = merged([2]);
    const third = merged([3, 4]);
    const fourth = merged([5]);
    expect(c.calls).toEqual([[1], [2]]);
    c.finish[0]!();
    await first;
    await tick();
    expect(c.calls).toEqual([[1], [2], [3, 4, 5]]);
    c.finish[1]!();
    c.finish[2]!();
    expect(await Promise.all([second, third, fourth])).toEqual(['delivered 2', 'delivered 3,4,5', 'delivered 3,4,5']);
  });

  it('never merges more rows than one claim takes', async () => {
    const c = controlled();
    const merged = mergingDeliveries(c.deliver, 1);
    void merged([0]);
    void merged(Array.from({ length: 600 }, (_, i) => i + 1));
    void merged(Array.from({ length: 600 }, (_, i) => i + 1001));
    expect(c.calls.map((ids) => ids.length)).toEqual([1, 600]);
  });
});
