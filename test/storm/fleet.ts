/**
 * The storm's function instances: separate node processes of test/storm/function-server.ts, each
 * serving the built functions. One can be killed (SIGKILL, as when a platform recycles an instance
 * mid-request) and replaced by a fresh one, as Netlify starts a new instance.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('./function-server.ts', import.meta.url));

export interface Instance {
  name: string;
  baseUrl: string;
  child: ChildProcess;
  alive: boolean;
}

export interface Fleet {
  /** Live instances, round robin; `other` picks one that is not `than` when there is one. */
  next(than?: Instance): Instance;
  killOne(): Instance;
  replace(dead: Instance): Promise<Instance>;
  /** SIGTERM to all: each finishes its after-response work first. */
  stop(): Promise<void>;
  /** The last lines each instance wrote, for a failure report. */
  output: string[];
}

export async function startFleet(count: number, functionsDir: string, env: Record<string, string>): Promise<Fleet> {
  const output: string[] = [];
  let serial = 0;
  let turn = 0;
  const spawnOne = (): Promise<Instance> =>
    new Promise((resolve, reject) => {
      const name = `instance-${++serial}`;
      const child = spawn(process.execPath, ['--import', 'tsx', SERVER, functionsDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      // However the storm ends, no instance outlives it.
      const reap = () => child.kill('SIGKILL');
      process.once('exit', reap);
      child.once('exit', () => process.removeListener('exit', reap));
      const keep = (line: string) => {
        output.push(`${name}: ${line}`);
        if (output.length > 200) output.shift();
      };
      createInterface({ input: child.stderr! }).on('line', keep);
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', (first) => {
        lines.on('line', keep);
        try {
          const { port } = JSON.parse(first) as { port: number };
          const instance: Instance = { name, baseUrl: `http://127.0.0.1:${port}`, child, alive: true };
          child.once('exit', () => (instance.alive = false));
          resolve(instance);
        } catch {
          reject(new Error(`${name} did not start: ${first}`));
        }
      });
      child.once('exit', (code) => reject(new Error(`${name} exited at start (${code}): ${output.slice(-5).join(' | ')}`)));
    });

  const instances = await Promise.all(Array.from({ length: count }, spawnOne));
  const live = () => instances.filter((i) => i.alive);
  return {
    output,
    next(than) {
      const pool = live().filter((i) => i !== than);
      const list = pool.length > 0 ? pool : live();
      if (list.length === 0) throw new Error('no live instance');
      return list[turn++ % list.length]!;
    },
    killOne() {
      const victim = live()[0];
      if (!victim) throw new Error('no live instance');
      victim.alive = false;
      victim.child.kill('SIGKILL');
      return victim;
    },
    async replace(dead) {
      const fresh = await spawnOne();
      instances[instances.indexOf(dead)] = fresh;
      return fresh;
    },
    async stop() {
      await Promise.all(
        live().map(
          (i) =>
            new Promise<void>((resolve) => {
              if (i.child.exitCode !== null) return resolve();
              i.child.once('exit', () => resolve());
              i.child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
