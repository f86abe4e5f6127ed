/**
 * The database port. Every state change is one SQL function `fn(p jsonb) returns jsonb` in
 * supabase/migrations, so one call is one transaction whichever adapter carries it.
 */
export type SqlFunction =
  | 'stripe_record_event'
  | 'outbox_claim'
  | 'outbox_complete'
  // Conversions without a Stripe event (checkout creation, track); a signed-in user's customer.
  | 'outbox_enqueue'
  | 'checkout_customer'
  // Operations (status page, report, redrive, retention)
  | 'ops_status'
  | 'ops_report'
  | 'ops_redrive'
  | 'ops_retention';

export interface Database {
  readonly kind: 'postgres' | 'supabase' | 'pglite';
  call<T = unknown>(fn: SqlFunction, args: object): Promise<T>;
  close(): Promise<void>;
}

/**
 * Why a call failed decides the status Stripe sees: both make it retry, 503 says "try later". Of the
 * driver's error only the code is kept as the cause: the rest holds the call's argument (postgres.js
 * and PGlite keep the statement, PostgREST the details), and an uncaught error is printed whole.
 */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  constructor(
    message: string,
    readonly unavailable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options && { cause: codeOf(options.cause) });
  }
}

function codeOf(cause: unknown): { code?: string } {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { code } : {};
}

const SQL_FUNCTIONS: ReadonlySet<string> = new Set<SqlFunction>([
  'stripe_record_event',
  'outbox_claim',
  'outbox_complete',
  'outbox_enqueue',
  'checkout_customer',
  'ops_status',
  'ops_report',
  'ops_redrive',
  'ops_retention',
]);

/** Function names end up in SQL text; only the known ones may. */
export function assertSqlFunction(fn: string): asserts fn is SqlFunction {
  if (!SQL_FUNCTIONS.has(fn)) throw new DatabaseError(`unknown SQL function ${fn}`, false);
}
