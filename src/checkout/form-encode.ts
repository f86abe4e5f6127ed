/**
 * Stripe's request encoding, as stripe-node sends it: `application/x-www-form-urlencoded` with
 * nested objects as `parent[child]=value`, arrays as `list[0][field]=value`, brackets left
 * unencoded, `! * ( ) '` percent-encoded (as the `qs` library does), null as an empty value (which
 * unsets a field) and undefined left out. Checked against stripe-node's own output in the tests.
 */
export type FormValue = string | number | boolean | null | undefined | FormValue[] | { [key: string]: FormValue };

export function formEncode(data: Record<string, FormValue>): string {
  const pairs: string[] = [];
  const add = (key: string, value: FormValue): void => {
    if (value === undefined) return;
    if (value === null || typeof value !== 'object') {
      pairs.push(`${encode(key)}=${encode(value === null ? '' : String(value))}`);
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => add(`${key}[${index}]`, item));
    } else {
      for (const [child, item] of Object.entries(value)) add(`${key}[${child}]`, item);
    }
  };
  for (const [key, value] of Object.entries(data)) add(key, value);
  return pairs.join('&');
}

function encode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/gu, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%5B/gu, '[')
    .replace(/%5D/gu, ']');
}
