/**
 * A client-side bound on one database call: whatever the server or the network does, the caller has
 * an answer after `ms`. The work itself is not stopped here; the adapter decides what to drop.
 */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
  readonly code = 'DEADLINE_EXCEEDED';
}

export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`${what} gave no answer within ${ms} ms`)), ms);
  });
  // The losing side may still settle later; nobody waits for it then.
  work.catch(() => {});
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
