import * as z from 'zod/mini';

/** Most events the outbox claims and sends at once per destination (also outbox_claim's cap). */
export const MAX_BATCH_SIZE = 1000;

/** The delivery keys of the environment that are not in the core schema. */
export const envSchema = z.object({
  DELIVERY_CONCURRENCY: z._default(
    z.coerce.number().check(z.int(), z.positive(), z.maximum(16, 'must be at most 16')),
    4,
  ),
});

/** Rounds of a bisection: each round halves the rows still rejected, so ceil(log2(batch)). */
export const bisectionDepth = (batch: number) => Math.ceil(Math.log2(Math.max(1, Math.min(batch, MAX_BATCH_SIZE))));

/**
 * The shortest lease that covers one claim: the batch request, then one round per bisection level
 * (the halves of a round are sent side by side), each up to the request timeout, plus a 5 s margin
 * for recording the outcome. Otherwise a second worker could take rows over while they are sent.
 */
export function minimumLeaseSeconds(timeoutMs: number, batchSize: number): number {
  return Math.ceil((timeoutMs * (1 + bisectionDepth(batchSize)) + 5000) / 1000);
}
