/**
 * The database port. Every state change is one SQL function `fn(p jsonb) returns jsonb` in
 * supabase/migrations, so one call is one transaction whichever adapter carries it.
 */
export type SqlFunction =
  | 'stripe_record_event'
  | 'outbox_claim'
  | 'outbox_complete'
  | 'outbox_requeue'
  // Conversions without a Stripe event (checkout creation, track); a signed-in user's customer.
  | 'outbox_enqueue'
  | 'checkout_customer';

export interface Database {
  readonly kind: 'postgres' | 'supabase' | 'pglite';
  call<T = unknown>(fn: SqlFunction, args: object): Promise<T>;
  close(): Promise<void>;
}

/** Why a call failed decides the status Stripe sees: both make it retry, 503 says "try later". */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  constructor(
    message: string,
    readonly unavailable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const SQL_FUNCTIONS: ReadonlySet<string> = new Set<SqlFunction>([
  'stripe_record_event',
  'outbox_claim',
  'outbox_complete',
  'outbox_requeue',
  'outbox_enqueue',
  'checkout_customer',
]);

/** Function names end up in SQL text; only the known ones may. */
export function assertSqlFunction(fn: string): asserts fn is SqlFunction {
  if (!SQL_FUNCTIONS.has(fn)) throw new DatabaseError(`unknown SQL function ${fn}`, false);
}
