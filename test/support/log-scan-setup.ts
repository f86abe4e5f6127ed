/**
 * Global setup: starts the run with an empty log capture and, when every test file is done, scans
 * it. Any personal value, secret or token shape in the captured output fails the run.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { LOG_CAPTURE_DIR, scanCapturedLogs } from './log-scan.ts';

export function setup(): () => void {
  rmSync(LOG_CAPTURE_DIR, { recursive: true, force: true });
  mkdirSync(LOG_CAPTURE_DIR, { recursive: true });
  return () => {
    const { lines, findings } = scanCapturedLogs();
    if (findings.length === 0) return;
    const shown = findings.slice(0, 20).map((f) => `  ${f.kind} in ${f.file}: ${f.line.slice(0, 300)}`).join('\n');
    // Vitest only prints an error thrown here; the exit code is what makes the run fail.
    process.exitCode = 1;
    throw new Error(`log scan: ${findings.length} finding(s) in ${lines} captured lines (${LOG_CAPTURE_DIR}):\n${shown}`);
  };
}
