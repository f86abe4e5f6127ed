import { hashAccount } from '../conversions/identity/hash-account.ts';
import type { Conversion } from '../conversions/types.ts';
import type { BrowserContext } from '../http/browser-context.ts';
import type { ConsentDecision } from '../http/consent.ts';
import { minorToMajor } from '../stripe/money.ts';
import type { VerifiedUser } from './jwt.ts';
import type { PriceInfo } from './prices.ts';
import type { CheckoutRequest } from './request.ts';

export interface InitiateCheckoutInput {
  sessionId: string;
  livemode: boolean;
  request: CheckoutRequest;
  prices: readonly PriceInfo[];
  currency: string;
  user?: VerifiedUser;
  context: BrowserContext;
  consent: ConsentDecision;
  /** Unix seconds. */
  eventTime: number;
}

/**
 * The server's InitiateCheckout, pure. Its event id is the session id, which the page's pixel fires
 * with too, so each platform keeps one; the Purchase later shares the id under another name. The
 * user id and email are hashed here, as for every conversion; without consent nothing is kept.
 */
export function initiateCheckout(input: InitiateCheckoutInput): Conversion {
  const { context, consent, user } = input;
  const keep = consent.identifiers;
  const items = input.request.items.map((item, index) => {
    const price = input.prices[index];
    return {
      id: price?.product ?? item.price,
      quantity: item.quantity,
      price: minorToMajor(price?.unitAmount ?? 0, input.currency),
    };
  });
  // Summed in minor units, converted once: no floating-point drift across items.
  const total = input.request.items.reduce((sum, item, i) => sum + (input.prices[i]?.unitAmount ?? 0) * item.quantity, 0);
  return {
    kind: 'initiate_checkout',
    eventId: input.sessionId,
    eventTime: input.eventTime,
    livemode: input.livemode,
    actionSource: 'website',
    value: minorToMajor(total, input.currency),
    currency: input.currency.toUpperCase(),
    orderId: input.sessionId,
    items,
    user: keep && user ? hashAccount({ userId: user.id, email: user.email }) : {},
    client: keep
      ? compact({
          ipAddress: context.ipAddress,
          userAgent: context.userAgent,
          fbc: context.fbc,
          fbp: context.fbp,
          ttclid: context.ttclid,
          ttp: context.ttp,
        })
      : {},
    page: keep ? compact({ url: context.eventSourceUrl }) : {},
    consent: consent.conversionConsent,
  };
}

function compact<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as Partial<T>;
}
