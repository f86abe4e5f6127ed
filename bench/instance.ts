/**
 * One function instance of a BUILT bundle (dist/functions/*.mjs), as Netlify runs it: a plain `node`
 * process (no tsx, no sources) that imports the bundle and calls its default export with a Request
 * and a context whose waitUntil work runs on after the response. Served over HTTP on 127.0.0.1.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const CHILD = `import { createServer } from 'node:http';
const { default: handler } = await import(process.argv[1]);
let pending = 0;
const done = () => { pending -= 1; };
const server = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
  const context = { requestId: 'bench', waitUntil: (p) => { pending += 1; Promise.resolve(p).then(done, done); } };
  try {
    const response = await handler(new Request('http://127.0.0.1' + req.url, { method: req.method, headers, body }), context);
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    res.writeHead(599).end(String(error));
  }
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (m) => { if (m === 'pending') process.send({ pending }); });
process.on('disconnect', () => process.exit(0));`;

export interface Instance {
  url: string;
  /** Resolves once no waitUntil work is left (the after-response deliveries). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startInstance(bundle: string, env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, bundle], {
    // Only the given environment: the bench process's own (tsx loader, knobs) must not leak in.
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const { port } = await next<{ port: number }>(child, 'port');
  return {
    url: `http://127.0.0.1:${port}/.netlify/functions/stripe-webhook`,
    async settled() {
      for (let i = 0; i < 600; i++) {
        child.send('pending');
        if ((await next<{ pending: number }>(child, 'pending')).pending === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the instance still has after-response work after 30 s');
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The child's next IPC message carrying `key`; fails if the child exits first. */
export function next<T>(child: ChildProcess, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (typeof message !== 'object' || message === null || !(key in message)) return;
      child.off('exit', onExit);
      child.off('message', onMessage);
      resolve(message as T);
    };
    const onExit = (code: number | null) => {
      child.off('message', onMessage);
      reject(new Error(`child process exited (${code}) before sending ${key}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
