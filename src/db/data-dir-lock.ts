import { open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * The embedded database must be opened by one process at a time: two (say `npm start` and
 * `npm run drain`) writing one data directory corrupt it. A lock file with the owner's pid guards it;
 * a lock left by a process that no longer runs is taken over.
 */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const file = path.join(dataDir, 'owner.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (owner && owner !== process.pid && isRunning(owner)) {
        throw new DataDirInUseError(
          `the embedded database in ${dataDir}/ is open in process ${owner} (npm start?): stop it first, ` +
            'or use that server (POST /.netlify/functions/conversions-drain runs a drain), or set DATABASE_URL',
        );
      }
      await rm(file, { force: true });
    }
  }
  throw new DataDirInUseError(`could not lock ${dataDir}/`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
