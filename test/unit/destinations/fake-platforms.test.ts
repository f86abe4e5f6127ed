import { afterEach, describe, expect, it } from 'vitest';
import { meta } from '../../../src/destinations/meta/index.ts';
import { tiktok } from '../../../src/destinations/tiktok/index.ts';
import type { BaseSettings, Destination, OutgoingRequest } from '../../../src/destinations/types.ts';
import { type FakePlatform, startFakeMeta, startFakeTikTok } from '../../support/fake-platforms.ts';
import { SESSION_ID, metaSettings, tiktokSettings, usdPurchase } from './fixtures.ts';

const fakes: FakePlatform[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function post(request: OutgoingRequest, timeoutMs = 2000) {
  const response = await fetch(request.url, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: await response.text() };
}

/** Builds the fixture purchase, POSTs it with fetch and classifies the answer, as the outbox would. */
async function sendWith<S extends BaseSettings>(destination: Destination<S>, settings: S) {
  const request = destination.buildRequest([usdPurchase()], settings, {});
  const { status, body } = await post(request);
  return destination.classify(status, body, 1);
}

describe('fake TikTok', () => {
  it('accepts a built request at the documented path and answers success', async () => {
    const fake = await startFakeTikTok({ accessToken: tiktokSettings.accessToken });
    fakes.push(fake);
    const settings = { ...tiktokSettings, apiBaseUrl: fake.baseUrl };
    const result = await sendWith(tiktok, settings);
    expect(result).toMatchObject({ outcome: 'delivered', platformCode: '0' });
    expect(result.traceId).toMatch(/FAKE/);
    expect(fake.requests).toHaveLength(1);
    const [recorded] = fake.requests;
    expect(recorded).toMatchObject({ method: 'POST', path: '/open_api/v1.3/event/track/' });
    expect(recorded?.headers['access-token']).toBe('tiktok-test-token');
    expect(recorded?.headers['content-type']).toBe('application/json');
    expect(recorded?.body).toMatchObject({ event_source: 'web', data: [{ event: 'CompletePayment', event_id: SESSION_ID }] });
  });

  it('answers queued responses in order, then success again', async () => {
    const fake = await startFakeTikTok({ accessToken: tiktokSettings.accessToken });
    fakes.push(fake);
    fake.respondWith(
      { status: 200, body: { code: 40002, message: 'Batch.0.event_time: Not a valid integer', request_id: 'r1', data: {} } },
      { status: 502, body: '<html><body>Bad Gateway</body></html>' },
    );
    const settings = { ...tiktokSettings, apiBaseUrl: fake.baseUrl };
    expect(await sendWith(tiktok, settings)).toMatchObject({ outcome: 'permanent', platformCode: '40002' });
    expect(await sendWith(tiktok, settings)).toMatchObject({ outcome: 'retryable', reason: 'HTTP 502' });
    expect(await sendWith(tiktok, settings)).toMatchObject({ outcome: 'delivered' });
  });

  it('answers a wrong token with TikTok’s auth error (HTTP 200)', async () => {
    const fake = await startFakeTikTok({ accessToken: 'the-right-token' });
    fakes.push(fake);
    const result = await sendWith(tiktok, { ...tiktokSettings, apiBaseUrl: fake.baseUrl });
    expect(result).toMatchObject({ outcome: 'auth', platformCode: '40105' });
  });

  it('answers 404 elsewhere', async () => {
    const fake = await startFakeTikTok();
    fakes.push(fake);
    const { status } = await post({ url: `${fake.baseUrl}/open_api/v1.3/pixel/track/`, headers: {}, body: '{}' });
    expect(status).toBe(404);
  });
});

describe('fake Meta', () => {
  it('accepts a built request at the documented path and counts the events', async () => {
    const fake = await startFakeMeta({ accessToken: metaSettings.accessToken });
    fakes.push(fake);
    const settings = { ...metaSettings, apiBaseUrl: fake.baseUrl };
    const result = await sendWith(meta, settings);
    expect(result).toMatchObject({ outcome: 'delivered' });
    expect(result.traceId).toMatch(/FakeTrace/);
    const [recorded] = fake.requests;
    expect(recorded).toMatchObject({ method: 'POST', path: '/v26.0/1234567890/events' });
    expect(recorded?.headers.authorization).toBe('Bearer meta-test-token');
    expect(recorded?.body).toMatchObject({ data: [{ event_name: 'Purchase', event_id: SESSION_ID }] });
  });

  it('answers queued Graph errors', async () => {
    const fake = await startFakeMeta({ accessToken: metaSettings.accessToken });
    fakes.push(fake);
    fake.respondWith({
      status: 400,
      body: { error: { message: '(#17) User request limit reached', type: 'OAuthException', code: 17, fbtrace_id: 'T1' } },
    });
    const settings = { ...metaSettings, apiBaseUrl: fake.baseUrl };
    expect(await sendWith(meta, settings)).toEqual({
      outcome: 'retryable', reason: '(#17) User request limit reached', platformCode: '17', traceId: 'T1', retryAfterSeconds: 300,
    });
  });

  it('answers a wrong token with Graph error 190', async () => {
    const fake = await startFakeMeta({ accessToken: 'the-right-token' });
    fakes.push(fake);
    expect(await sendWith(meta, { ...metaSettings, apiBaseUrl: fake.baseUrl })).toMatchObject({ outcome: 'auth', platformCode: '190' });
    expect(fake.requests).toHaveLength(1);
  });

  it('delays an answer on request, so client timeouts can be tested', async () => {
    const fake = await startFakeMeta({ accessToken: metaSettings.accessToken });
    fakes.push(fake);
    fake.respondWith({ status: 200, body: { events_received: 1, messages: [], fbtrace_id: 'slow' }, delayMs: 500 });
    const request = meta.buildRequest([usdPurchase()], { ...metaSettings, apiBaseUrl: fake.baseUrl }, {});
    await expect(post(request, 50)).rejects.toThrow();
  });
});
