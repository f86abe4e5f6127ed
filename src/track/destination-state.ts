import type { BaseSettings } from '../destinations/types.ts';

/**
 * What a destination does with what is queued, for status answers (never a secret): `off` without
 * pixel and token; `test-only` when the deployment's Stripe key is a test key, so every conversion
 * carries the platform's test event code (or is skipped without one); `on` otherwise.
 */
export type DestinationState = 'on' | 'off' | 'test-only';

export function destinationState(settings: BaseSettings | null, expectedLivemode: boolean | undefined): DestinationState {
  if (!settings) return 'off';
  return expectedLivemode === false ? 'test-only' : 'on';
}
