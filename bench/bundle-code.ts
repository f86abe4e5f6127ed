/**
 * Reading and editing minified esbuild output for the bundle benchmark: which packages a bundle
 * still imports at load, and the same bundle with one such import removed (a what-if that needs no
 * second build, so it measures exactly the shipped bytes minus one statement).
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Specifiers of top-level `import … from "x"` / `import "x"` statements in minified ESM. */
export function staticImports(code: string): string[] {
  return [...new Set([...code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w${}*,\s]+?\s*from\s*)?["']([^"']+)["']/g)].map((m) => m[1]!))];
}

/** Bytes of every file under a package folder: what a deploy would ship beside the bundle. */
export async function diskBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? e.path, e.name));
  return (await Promise.all(files.map((f) => stat(f)))).reduce((sum, st) => sum + st.size, 0);
}

/** Replaces `import{A as B,C}from"spec";` by `var B,C;`: same bindings, nothing loaded. */
export function withoutImport(code: string, spec: string): string {
  const quoted = spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return code.replace(new RegExp(`import\\s*([^;"']*?)\\s*from\\s*["']${quoted}["'];?`, 'g'), (_, clause: string) => {
    const names = clause
      .replace(/[{}]/g, ',')
      .split(',')
      .map((part) => part.trim().split(/\s+|\*as\s*/).filter(Boolean).pop())
      .filter((name): name is string => Boolean(name));
    return names.length > 0 ? `var ${names.join(',')};` : '';
  });
}
