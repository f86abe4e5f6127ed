/**
 * The one place that decides what a log line may carry. Fields whose name says they hold personal
 * data or a credential are replaced whole; every other string (the message included) is scanned for
 * the shapes of emails, phone numbers, IP addresses, SHA-256 hashes, bearer tokens, Stripe keys and
 * webhook secrets, and JWTs. Names and postal addresses have no shape: they are only ever caught by
 * field name, which is why callers pass ids and counts, never a customer object.
 */
export const REDACTED = '[redacted]';

/** Compared after lower-casing and removing `_`/`-`: `client_ip_address` → `clientipaddress`. */
const DENIED_FIELDS = new Set([
  'email', 'phone', 'name', 'firstname', 'lastname', 'fullname', 'address', 'line1', 'line2', 'city',
  'postalcode', 'zip', 'ip', 'ipaddress', 'clientipaddress', 'useragent', 'clientuseragent', 'authorization',
  'cookie', 'cookies', 'password', 'fbc', 'fbp', 'ttclid', 'ttp', 'fbclid', 'customerdetails',
]);
/** Any field whose name contains one of these is a credential. */
const DENIED_PARTS = ['token', 'secret', 'password', 'apikey', 'email', 'phone'];

const VALUE_RULES: [RegExp, string][] = [
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, `Bearer ${REDACTED}`],
  [/\b(access_token|token|secret|api_key|key)=[^&\s"']+/gi, `$1=${REDACTED}`],
  [/\b(?:whsec|sk_live|sk_test|rk_live|rk_test)_[A-Za-z0-9_]+/g, '[redacted:secret]'],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted:jwt]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[redacted:email]'],
  [/\b[0-9a-f]{64}\b/gi, '[redacted:hash]'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, '[redacted:ip]'],
  [/\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b/gi, '[redacted:ip]'],
  // The compressed form (`2001:db8::42`, `fe80::1`), as Node and proxies print most IPv6 addresses.
  [/(?<![\w:])(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?::(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?(?![\w:])/gi, '[redacted:ip]'],
  [/\+\d[\d\s().-]{7,18}\d\b/g, '[redacted:phone]'],
  [/(?<![\w-])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g, '[redacted:phone]'],
];

export function isDeniedField(name: string): boolean {
  const key = name.toLowerCase().replace(/[_-]/g, '');
  return DENIED_FIELDS.has(key) || DENIED_PARTS.some((part) => key.includes(part));
}

export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of VALUE_RULES) out = out.replace(pattern, replacement);
  return out;
}

/** A log record with denied fields replaced and every string scanned, nested arrays included. */
export function redactRecord(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, isDeniedField(key) && value != null ? REDACTED : redactValue(value)]),
  );
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === 'object') return redactRecord(value as Record<string, unknown>);
  return value;
}
