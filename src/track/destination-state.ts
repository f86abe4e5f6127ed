import type { Config } from '../config.ts';

/**
 * What a destination does with what is queued, for status answers (never a secret):
 * `off` without pixel and token; `test-only` when the deployment's Stripe key is a test key, so every
 * conversion carries the platform's test event code (or is skipped without one); `on` otherwise.
 */
export type DestinationState = 'on' | 'off' | 'test-only';

export function destinationStates(config: Config): { tiktok: DestinationState; meta: DestinationState } {
  const state = (settings: object | null): DestinationState =>
    settings === null ? 'off' : config.stripe.expectedLivemode === false ? 'test-only' : 'on';
  return { tiktok: state(config.tiktok), meta: state(config.meta) };
}
