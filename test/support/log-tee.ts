/**
 * Setup file of every test worker: console output also goes to the log capture that the run's
 * teardown scans (test/support/log-scan.ts). The product's own logger lines reach it through the
 * harness's sink.
 */
import { format } from 'node:util';
import { captureLogLine } from './log-scan.ts';

for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    captureLogLine(format(...args));
    original(...args);
  };
}
