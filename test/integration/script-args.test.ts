/**
 * The operator's commands answer a command line they cannot read with one plain line and their
 * usage (exit 2), never a Node stack trace.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const env = { PATH: process.env.PATH, HOME: process.env.HOME };

async function refused(script: string, ...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await exec(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], { env });
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`${script} accepted ${args.join(' ')}`);
}

describe('scripts given a command line they cannot read', () => {
  it.each([
    ['report', '--bogus', 'npm run report'],
    ['redrive', '--destinaton', 'npm run redrive'],
    ['drain', '--requeue-all', 'npm run drain'],
    ['backfill', '--from', 'npm run backfill'],
    ['replay', '--ur', 'npm run replay'],
  ])('%s %s: the unknown flag and the usage, no stack trace', async (script, flag, usage) => {
    const { code, stderr } = await refused(script, flag);
    expect(code).toBe(2);
    expect(stderr).toContain(`Unknown option '${flag}'`);
    expect(stderr).toContain(`usage: ${usage}`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('replay: a file that is not there is named, no stack trace', async () => {
    const { code, stderr } = await refused('replay', 'test/fixtures/stripe/no-such-event.json');
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('cannot read test/fixtures/stripe/no-such-event.json (ENOENT)');
  });
});

describe('npm run db:migrate against a database it cannot reach', () => {
  it('names the server and the cause in one line (exit 2), never the password', async () => {
    const run = exec(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], {
      env: { ...env, DATABASE_URL: 'postgres://app:hunter2-secret@127.0.0.1:1/shop' },
    });
    const error = (await run.then(() => undefined, (e: unknown) => e)) as { code: number; stderr: string } | undefined;
    expect(error).toMatchObject({ code: 2 });
    expect(error!.stderr.trim()).toBe('cannot apply the migrations to the database at 127.0.0.1:1/shop: connect ECONNREFUSED 127.0.0.1:1');
    expect(error!.stderr).not.toContain('hunter2');
  });
});

describe('report and redrive against a database they cannot reach', () => {
  it.each(['report', 'redrive'])('%s: one line naming the failed call and the cause, exit 2', async (script) => {
    const run = exec(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`], {
      env: { ...env, DATABASE_URL: 'postgres://app:hunter2-secret@127.0.0.1:1/shop' },
    });
    const error = (await run.then(() => undefined, (e: unknown) => e)) as { code: number; stderr: string } | undefined;
    expect(error).toMatchObject({ code: 2 });
    expect(error!.stderr.trim()).toBe(`database error: ops_${script} failed: connect ECONNREFUSED 127.0.0.1:1`);
  });
});

describe('npm run drain on a fresh embedded database', () => {
  it('prints the redrive as npm run redrive does, then the drain report as one JSON line', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dataDir = await mkdtemp(path.join(tmpdir(), 'drain-output-'));
    try {
      const { stdout } = await exec(process.execPath, ['--import', 'tsx', 'scripts/drain.ts', '--requeue-dead'], {
        env: { ...env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      });
      const lines = stdout.trim().split('\n');
      expect(lines[0]).toBe('requeued 0 conversion(s)');
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ claimed: 0, delivered: 0 });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
