/**
 * Reads `application/x-www-form-urlencoded` the way Stripe's API does: `a[b][0][c]=v` nests into
 * objects, and objects whose keys are 0, 1, 2 … become arrays. What the local Stripe stand-in uses
 * to read what the product (or stripe-node) sends.
 */
export type FormTree = string | FormTree[] | { [key: string]: FormTree };

export function formDecode(body: string): Record<string, FormTree> {
  const root: Record<string, FormTree> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.split(/\]\[|\[|\]/u).filter((part, i, parts) => part !== '' || i < parts.length - 1);
    let node: Record<string, FormTree> = root;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Record<string, FormTree>;
    });
  }
  return arrays(root) as Record<string, FormTree>;
}

function arrays(node: FormTree): FormTree {
  if (typeof node === 'string' || Array.isArray(node)) return node;
  const keys = Object.keys(node);
  const entries = keys.map((k) => [k, arrays(node[k] as FormTree)] as const);
  if (keys.length > 0 && keys.every((k, i) => k === String(i))) return entries.map(([, v]) => v);
  return Object.fromEntries(entries);
}
