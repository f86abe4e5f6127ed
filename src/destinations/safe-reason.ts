import { redactText } from '../redact.ts';

/**
 * A platform message fit to keep on a row: long opaque runs (tokens, hashes) are masked, the
 * personal data the log redaction knows by shape (email, phone, IP) too, and the length is capped,
 * so an echoed value never reaches the database, the logs or tracking-status's last failure.
 */
export function safeReason(message: string | undefined): string | undefined {
  if (!message) return undefined;
  const masked = redactText(message.replace(/[A-Za-z0-9_-]{32,}/g, '[redacted]'));
  return masked.length > 500 ? `${masked.slice(0, 499)}…` : masked;
}
