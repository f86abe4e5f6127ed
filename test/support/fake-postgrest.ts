/**
 * A stand-in for Supabase's API gateway + PostgREST, for testing the Supabase adapter over real HTTP.
 *
 * PostgREST itself cannot run on these machines (there is no Debian package for it and no Docker), so
 * this small node:http server on 127.0.0.1 plays the part for the one thing the project uses:
 * `POST /rest/v1/rpc/<fn>` with a JSON object of named arguments. It does what PostgREST does for such
 * a request, on a real PostgreSQL connection and in ONE transaction:
 *
 *   set local role <role of the API key>;
 *   select set_config('request.jwt.claims', '{"role": …, "sub": …}', true);
 *   select public.<fn>(<arg> => $1::text::jsonb, …);
 *
 * so the same SQL functions run on the same real Postgres with the same role switch, grants and
 * row-level security. Like the gateway it rejects a missing or unknown `apikey`; like PostgREST it
 * answers 200 with the function's JSON result, or `{code, details, hint, message}` with PostgREST's
 * status for the SQLSTATE (42501: 401 for anon, 403 otherwise; 42883: 404 PGRST202; 22xxx/23xxx/P0001:
 * 400, 23503/23505: 409; 08xxx/53xxx and a lost database: 503; anything else 500).
 *
 * Simplification: every argument is passed as jsonb (all project functions are `fn(p jsonb)`); real
 * PostgREST casts each argument to the type in its schema cache.
 *
 *   const api = await startFakePostgrest({ databaseUrl, keys: { 'service-key': 'service_role', 'anon-key': 'anon' } });
 *   const db = connectSupabase(api.url, 'service-key');
 *   api.setUnavailable(true); // every request now gets 503, as when PostgREST is down
 *   await api.close();
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import postgres from 'postgres';

export type ApiRole = 'service_role' | 'anon' | 'authenticated';

/** A role, or for `authenticated` a role with the user id that goes into the claims as `sub`. */
export type ApiKeyGrant = ApiRole | { role: ApiRole; sub?: string };

export interface FakePostgrestOptions {
  /** The database PostgREST would be connected to (its `authenticator` may switch to every API role). */
  databaseUrl: string;
  /** API key → the role its JWT carries, as Supabase's anon and service_role keys do. */
  keys: Record<string, ApiKeyGrant>;
  /** Answer every request with 503, as when PostgREST or the gateway is down. */
  unavailable?: boolean;
}

export interface FakePostgrestCall {
  fn: string;
  role: ApiRole | null;
  status: number;
}

export interface FakePostgrest {
  /** `http://127.0.0.1:<port>`, the SUPABASE_URL to hand to the adapter. */
  url: string;
  /** Every request received, in order, with the status it got. */
  calls: FakePostgrestCall[];
  setUnavailable(on: boolean): void;
  close(): Promise<void>;
  /** Same as close(). */
  stop(): Promise<void>;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const ROLES: ReadonlySet<string> = new Set<ApiRole>(['service_role', 'anon', 'authenticated']);
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']);

interface PgrstError {
  code: string;
  details: string | null;
  hint: string | null;
  message: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Partial<PgrstError> & { message: string },
  ) {
    super(body.message);
  }
}

/** PostgREST's SQLSTATE → HTTP status table, for the codes these functions can raise. */
export function postgrestStatus(sqlstate: string, role: ApiRole): number {
  if (sqlstate === '42501') return role === 'anon' ? 401 : 403;
  if (sqlstate === '42883' || sqlstate === '42P01') return 404;
  if (sqlstate === '23503' || sqlstate === '23505') return 409;
  if (sqlstate === '25006') return 405;
  if (/^(22|23)/.test(sqlstate) || sqlstate === 'P0001') return 400;
  if (/^(08|53)/.test(sqlstate)) return 503;
  return 500;
}

export async function startFakePostgrest(options: FakePostgrestOptions): Promise<FakePostgrest> {
  for (const grant of Object.values(options.keys)) {
    const role = typeof grant === 'string' ? grant : grant.role;
    if (!ROLES.has(role)) throw new Error(`unknown API role ${role}`);
  }
  const sql = postgres(options.databaseUrl, { max: 4, prepare: false, onnotice: () => {}, connect_timeout: 5 });
  let unavailable = options.unavailable ?? false;
  const calls: FakePostgrestCall[] = [];

  const callFunction = async (fn: string, args: Record<string, unknown>, grant: ApiKeyGrant): Promise<unknown> => {
    const role = typeof grant === 'string' ? grant : grant.role;
    const claims: Record<string, string> = { role };
    if (typeof grant !== 'string' && grant.sub) claims.sub = grant.sub;
    const names = Object.keys(args);
    // ::text first: postgres.js would JSON-encode a parameter it sees typed jsonb a second time.
    const named = names.map((name, i) => `"${name}" => $${i + 1}::text::jsonb`).join(', ');
    // A JSON null is SQL NULL, as PostgREST reads arguments.
    const values = names.map((name) => (args[name] == null ? null : JSON.stringify(args[name])));
    try {
      return await sql.begin(async (tx) => {
        await tx.unsafe(`set local role "${role}"`);
        await tx.unsafe(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
        const rows = await tx.unsafe(`select public."${fn}"(${named}) as result`, values);
        return rows[0]?.result ?? null;
      });
    } catch (error) {
      const e = error as { code?: string; detail?: string; hint?: string; message?: string };
      const code = e.code ?? '';
      if (code === '42883') {
        throw new HttpError(404, {
          code: 'PGRST202',
          details: `Searched for the function public.${fn} with parameter${names.length === 1 ? '' : 's'} ${names.join(', ') || '(none)'} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
          hint: null,
          message: `Could not find the function public.${fn}(${names.join(', ')}) in the schema cache`,
        });
      }
      if (CONNECTION_ERRORS.has(code)) {
        throw new HttpError(503, { code: 'PGRST001', details: e.message ?? null, hint: null, message: 'Database client error. Retrying the connection.' });
      }
      if (!/^[0-9A-Z]{5}$/.test(code)) throw error;
      throw new HttpError(postgrestStatus(code, role), { code, details: e.detail ?? null, hint: e.hint ?? null, message: e.message ?? code });
    }
  };

  const handle = async (req: IncomingMessage, call: FakePostgrestCall): Promise<{ status: number; body: unknown }> => {
    const body = await readBody(req);
    if (unavailable) {
      return { status: 503, body: { message: 'An invalid response was received from the upstream server' } };
    }
    const apikey = req.headers.apikey;
    if (typeof apikey !== 'string' || apikey === '') return { status: 401, body: { message: 'No API key found in request' } };
    const grant = options.keys[apikey];
    if (grant === undefined) return { status: 401, body: { message: 'Invalid API key' } };
    call.role = typeof grant === 'string' ? grant : grant.role;

    const match = /^\/rest\/v1\/rpc\/([^/?]+)(?:\?.*)?$/.exec(req.url ?? '');
    if (!match) throw new HttpError(404, { code: 'PGRST125', details: null, hint: null, message: `Invalid path specified in request URL` });
    const fn = decodeURIComponent(match[1] ?? '');
    call.fn = fn;
    if (req.method !== 'POST') throw new HttpError(405, { code: 'PGRST117', details: null, hint: null, message: `Unsupported HTTP method: ${req.method}` });
    const profile = req.headers['content-profile'];
    if (profile !== undefined && profile !== 'public') {
      throw new HttpError(406, { code: 'PGRST106', details: null, hint: 'Only the following schemas are exposed: public', message: 'Invalid schema: ' + String(profile) });
    }
    let args: unknown;
    try {
      args = body === '' ? {} : JSON.parse(body);
    } catch {
      throw new HttpError(400, { code: 'PGRST102', details: null, hint: null, message: 'Empty or invalid json' });
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      throw new HttpError(400, { code: 'PGRST102', details: null, hint: null, message: 'Empty or invalid json' });
    }
    const argNames = Object.keys(args);
    if (!IDENTIFIER.test(fn) || !argNames.every((n) => IDENTIFIER.test(n))) {
      throw new HttpError(404, {
        code: 'PGRST202',
        details: null,
        hint: null,
        message: `Could not find the function public.${fn}(${argNames.join(', ')}) in the schema cache`,
      });
    }
    return { status: 200, body: await callFunction(fn, args as Record<string, unknown>, grant) };
  };

  const server = createServer((req, res) => {
    const call: FakePostgrestCall = { fn: '', role: null, status: 0 };
    calls.push(call);
    handle(req, call)
      .catch((error: unknown) => {
        if (error instanceof HttpError) {
          return { status: error.status, body: { code: null, details: null, hint: null, ...error.body } as unknown };
        }
        return { status: 500, body: { code: 'XX000', details: null, hint: null, message: (error as Error).message } as unknown };
      })
      .then(({ status, body }) => {
        call.status = status;
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify(body));
      })
      .catch(() => res.destroy());
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await sql.end({ timeout: 5 });
    })());

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setUnavailable(on: boolean) {
      unavailable = on;
    },
    close,
    stop: close,
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
