import type { BaseSettings } from '../destinations/types.ts';

/**
 * What a destination does with conversions, from the settings alone:
 * - `off`: no pixel id or no access token; its conversions are recorded as skipped.
 * - `test-only`: on, but the deployment's Stripe key is a test key (`sk_test_`/`rk_test_`), so every
 *   purchase is a Stripe test-mode event: it goes out with the platform's test event code, or is
 *   skipped when none is set. Nothing reaches the live pixel's reports.
 * - `on`: live purchases are sent as live events.
 */
export type DestinationState = 'on' | 'off' | 'test-only';

export function destinationState(settings: BaseSettings | null, expectedLivemode: boolean | undefined): DestinationState {
  if (!settings) return 'off';
  return expectedLivemode === false ? 'test-only' : 'on';
}
