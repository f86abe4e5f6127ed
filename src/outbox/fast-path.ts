/** Most rows one fast-path delivery claims (outbox_claim takes at most 1,000 at once). */
const MAX_IDS = 1000;

/** A delivery of some rows that calls `claimed()` once its claim is back, before it sends. */
export type ClaimingDelivery<R> = (ids: number[], claimed: () => void) => Promise<R>;

/**
 * The webhook's after-response deliveries of one instance, merged while the instance is busy: one
 * claim at a time, and the rows of webhooks that finish meanwhile wait for the next claim together
 * (they are then sent and completed together too). Only the claim is waited for, never a platform's
 * answer, so slow platforms delay nothing. A busy long-running server (npm start, a warm instance in
 * a burst) then makes one claim, one request per platform and one completion for many webhooks; an
 * instance serving one request at a time behaves as before. Each caller gets the outcome of the
 * delivery that carried its rows.
 */
export function mergingDeliveries<R>(deliver: ClaimingDelivery<R>): (ids: number[]) => Promise<R> {
  let claiming = false;
  let waiting: { ids: number[]; start: () => void; promise: Promise<R> } | undefined;

  const launch = (ids: number[]): Promise<R> => {
    claiming = true;
    let done = false;
    const claimed = () => {
      if (done) return;
      done = true;
      claiming = false;
      const next = waiting;
      waiting = undefined;
      next?.start();
    };
    return deliver(ids, claimed).finally(claimed);
  };

  return (ids) => {
    if (!claiming && !waiting) return launch(ids);
    if (waiting && waiting.ids.length + ids.length <= MAX_IDS) {
      waiting.ids.push(...ids);
      return waiting.promise;
    }
    // Over the cap (a very large burst): deliver on its own rather than wait behind a full batch.
    if (waiting) return launch(ids);
    let start!: () => void;
    const promise = new Promise<R>((resolve, reject) => {
      start = () => void launch(batch.ids).then(resolve, reject);
    });
    const batch = { ids: [...ids], start: () => start(), promise };
    waiting = batch;
    return promise;
  };
}
