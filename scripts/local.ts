import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../src/config.ts';
import { DataDirInUseError } from '../src/db/data-dir-lock.ts';
import { DatabaseError } from '../src/db/port.ts';

/**
 * What every local script does first: read `.env` when there is one, load the configuration (with
 * the local development secret when none is set), and turn expected failures into one plain line
 * instead of a stack trace.
 */
export function localConfig(): Config {
  if (existsSync('.env')) process.loadEnvFile('.env');
  try {
    return loadConfig(process.env, { local: true });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

/** The command line, or one plain line with the usage when it cannot be read (an unknown flag, say). */
export function args<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    fail(`${(error as Error).message}\nusage: ${usage}`);
  }
}

export function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/**
 * Runs a script's body; a busy embedded database, or a database that fails (unreachable, not
 * migrated), is reported in one line, not as a crash.
 */
export async function run(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof DataDirInUseError) fail(error.message);
    if (error instanceof DatabaseError) fail(`database error: ${error.message}`);
    throw error;
  }
}
