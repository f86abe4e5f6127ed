/**
 * A platform message fit to keep on a row: long opaque runs (tokens, hashes) are masked and the
 * length is capped, so an echoed token or hash never reaches the database or the logs.
 */
export function safeReason(message: string | undefined): string | undefined {
  if (!message) return undefined;
  const masked = message.replace(/[A-Za-z0-9_-]{32,}/g, '[redacted]');
  return masked.length > 500 ? `${masked.slice(0, 499)}…` : masked;
}
