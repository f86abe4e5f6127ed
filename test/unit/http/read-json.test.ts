import { describe, expect, it } from 'vitest';
import { readJson } from '../../../src/http/read-json.ts';

const post = (body: RequestInit['body'], headers: Record<string, string> = {}) =>
  new Request('http://localhost/', { method: 'POST', body, headers, ...(body instanceof ReadableStream && { duplex: 'half' }) } as RequestInit);

describe('readJson', () => {
  it('parses a JSON body', async () => {
    expect(await readJson(post('{"price":"price_1"}'))).toEqual({ ok: true, value: { price: 'price_1' } });
  });

  it('refuses other methods with 405', async () => {
    const read = await readJson(new Request('http://localhost/', { method: 'GET' }));
    expect(read).toMatchObject({ ok: false, status: 405, headers: { Allow: 'POST, OPTIONS' } });
  });

  it('refuses bad JSON, an empty body and invalid UTF-8 with 400', async () => {
    expect(await readJson(post('{"price":'))).toMatchObject({ ok: false, status: 400 });
    expect(await readJson(post(''))).toMatchObject({ ok: false, status: 400 });
    expect(await readJson(post(new Uint8Array([0x7b, 0xff, 0x7d])))).toMatchObject({ ok: false, status: 400 });
  });

  it('cleans text Postgres and form encoding cannot take: NUL removed, a lone surrogate → U+FFFD, deep nesting 400', async () => {
    expect(await readJson(post('{"a\\u0000":"x\\u0000y","b":["\\ud800"]}'))).toEqual({ ok: true, value: { a: 'xy', b: ['\uFFFD'] } });
    expect(await readJson(post(`${'['.repeat(100)}${']'.repeat(100)}`))).toMatchObject({ ok: false, status: 400, error: 'body is nested deeper than 64 levels' });
  });

  it('accepts exactly 16 KiB and refuses one byte more (413), by content-length', async () => {
    const at = JSON.stringify({ pad: 'x'.repeat(16 * 1024 - 10) });
    expect(at.length).toBe(16 * 1024);
    expect((await readJson(post(at))).ok).toBe(true);
    expect(await readJson(post(`${at} `))).toMatchObject({ ok: false, status: 413 });
  });

  it('refuses an oversized body that declares no length (413), counting the bytes read', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(4096));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 100) controller.close();
        else controller.enqueue(chunk);
      },
    });
    expect(await readJson(post(stream))).toMatchObject({ ok: false, status: 413 });
    expect(sent).toBeLessThan(10);
  });

  it('counts bytes, not characters', async () => {
    const body = JSON.stringify({ pad: 'é'.repeat(8200) });
    expect(body.length).toBeLessThan(16 * 1024);
    expect(await readJson(post(body))).toMatchObject({ ok: false, status: 413 });
  });
});
