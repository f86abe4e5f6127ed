/** Most rows one fast-path delivery claims (outbox_claim takes at most 1,000 at once). */
const MAX_IDS = 1000;

/**
 * The webhook's after-response deliveries of one instance, merged while the instance is busy: up to
 * `inFlight` run at once, and the rows of webhooks that finish meanwhile wait for the next one
 * together. A busy long-running server (npm start, a warm instance under a burst) then makes one
 * claim, one request per platform and one completion for many webhooks instead of for each; an
 * instance serving one request at a time behaves as before. Every caller gets the outcome of the
 * delivery that carried its rows.
 */
export function mergingDeliveries<R>(deliver: (ids: number[]) => Promise<R>, inFlight = 2): (ids: number[]) => Promise<R> {
  let running = 0;
  let waiting: { ids: number[]; start: () => void; promise: Promise<R> } | undefined;

  const launch = (ids: number[]): Promise<R> => {
    running += 1;
    return deliver(ids).finally(() => {
      running -= 1;
      const next = waiting;
      waiting = undefined;
      next?.start();
    });
  };

  return (ids) => {
    if (running < inFlight && !waiting) return launch(ids);
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
