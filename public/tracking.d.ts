/** Types of public/tracking.js, for shops that write TypeScript. */
export type TrackableName =
  | 'ViewContent' | 'AddToCart' | 'AddToWishlist' | 'InitiateCheckout' | 'AddPaymentInfo' | 'Lead'
  | 'CompleteRegistration' | 'Search' | 'Contact' | 'Subscribe' | 'StartTrial';
export type Consent = 'granted' | 'denied';

export interface CustomData {
  value?: number;
  currency?: string;
  content_ids?: string[];
  content_type?: 'product' | 'product_group';
  contents?: { id: string; quantity?: number; item_price?: number }[];
  search_string?: string;
}
export interface UserData {
  email?: string;
  phone?: string;
  external_id?: string;
  first_name?: string;
  last_name?: string;
}

export const TIKTOK_NAMES: Record<TrackableName, string>;
export function configure(settings: { base?: string; consent?: Consent; tiktokPurchaseEvent?: 'CompletePayment' | 'Purchase' }): void;
export function eventId(): string;
export function track(name: TrackableName, data?: CustomData, extra?: { eventId?: string; user?: UserData; consent?: Consent }): string;
export function checkout(
  price: string | { price: string; quantity: number }[],
  opts?: { quantity?: number; accessToken?: string; consent?: Consent; data?: CustomData; redirect?: boolean },
): Promise<{ id: string; url: string }>;
export function purchase(data?: CustomData, opts?: { kind?: 'payment' | 'subscription' | 'trial'; consent?: Consent }): string | null;
