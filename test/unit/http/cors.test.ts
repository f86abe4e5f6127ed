import { describe, expect, it } from 'vitest';
import { checkCors, corsPolicy, withCors } from '../../../src/http/cors.ts';

const policy = corsPolicy(['https://shop.example', ' https://www.Shop.example:8443 ', 'not a url'], 'https://site.netlify.app');
const request = (method: string, origin?: string) =>
  new Request('https://site.netlify.app/.netlify/functions/x', { method, headers: origin ? { origin } : {} });

describe('checkCors', () => {
  it('answers a preflight from an allowed origin with the methods, headers and max-age', () => {
    const outcome = checkCors(request('OPTIONS', 'https://shop.example'), policy);
    expect(outcome.kind).toBe('answer');
    if (outcome.kind !== 'answer') return;
    const { status, headers } = outcome.response;
    expect(status).toBe(204);
    expect(headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(Number(headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(headers.get('vary')).toBe('Origin');
  });

  it("always allows the site's own address, and origins case-insensitively", () => {
    expect(checkCors(request('POST', 'https://site.netlify.app'), policy).kind).toBe('continue');
    expect(checkCors(request('POST', 'https://WWW.shop.example:8443'), policy).kind).toBe('continue');
  });

  it('allows a page on the host the request was sent to (a deploy preview, npm start) without listing it', () => {
    const preview = 'https://deploy-preview-12--site.netlify.app';
    const same = new Request(`${preview}/.netlify/functions/track`, { method: 'POST', headers: { origin: preview } });
    expect(checkCors(same, policy)).toMatchObject({ kind: 'continue', headers: { 'Access-Control-Allow-Origin': preview } });
    const local = new Request('http://localhost:8888/.netlify/functions/track', { method: 'OPTIONS', headers: { origin: 'http://localhost:8888' } });
    const preflight = checkCors(local, corsPolicy([]));
    expect(preflight.kind === 'answer' && preflight.response.status).toBe(204);
    const otherPort = new Request('http://localhost:8888/.netlify/functions/track', { method: 'POST', headers: { origin: 'http://localhost:3000' } });
    expect(checkCors(otherPort, corsPolicy([])).kind).toBe('answer');
  });

  it('refuses a foreign origin with 403, preflight included', async () => {
    for (const method of ['POST', 'OPTIONS']) {
      for (const origin of ['https://evil.example', 'null', 'https://shop.example.evil.example', 'http://shop.example']) {
        const outcome = checkCors(request(method, origin), policy);
        expect(outcome.kind, `${method} ${origin}`).toBe('answer');
        if (outcome.kind !== 'answer') continue;
        expect(outcome.response.status).toBe(403);
        expect(outcome.response.headers.get('access-control-allow-origin')).toBeNull();
        expect(await outcome.response.json()).toEqual({ error: 'origin not allowed' });
      }
    }
  });

  it('lets a request without Origin through (server to server), with Vary', () => {
    const outcome = checkCors(request('POST'), policy);
    expect(outcome).toEqual({ kind: 'continue', headers: { Vary: 'Origin' } });
  });

  it('adds its headers to the final answer', () => {
    const outcome = checkCors(request('POST', 'https://shop.example'), policy);
    if (outcome.kind !== 'continue') throw new Error('expected continue');
    const response = withCors(Response.json({ ok: true }), outcome.headers);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(response.headers.get('vary')).toBe('Origin');
  });
});
