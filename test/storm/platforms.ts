/**
 * TikTok and Meta for the storm: the fake platforms of test/support, misbehaving while `chaos` is on
 * (a 200 that carries an error, 429 with retry-after, a 5xx page, an answer that comes after the
 * client gave up) and then healthy. Every event in a request the platform accepted is counted, so the
 * storm can say what was delivered and how often it was sent more than once.
 */
import { randomInt } from 'node:crypto';
import { startFakeMeta, startFakeTikTok, type FakePlatform, type FakeResponse, type RecordedRequest } from '../support/fake-platforms.ts';

export interface StormPlatforms {
  tiktok: FakePlatform;
  meta: FakePlatform;
  chaos: boolean;
  /** `destination event_name event_id` → times received in an accepted request. */
  accepted: Map<string, number>;
  /** Answers given, by kind. */
  answers: Record<string, number>;
  close(): Promise<void>;
}

type Kind = 'ok' | 'error-in-200' | '429' | '5xx' | 'late';

export async function startStormPlatforms(hangMs: number): Promise<StormPlatforms> {
  const [tiktok, meta] = await Promise.all([startFakeTikTok(), startFakeMeta()]);
  const state: StormPlatforms = {
    tiktok,
    meta,
    chaos: true,
    accepted: new Map(),
    answers: {},
    close: async () => {
      await Promise.all([tiktok.close(), meta.close()]);
    },
  };
  const pickKind = (): Kind => (state.chaos ? (['ok', 'error-in-200', '429', '5xx', 'late'] as const)[randomInt(5)]! : 'ok');
  const accept = (destination: string, events: { name: string; id: string }[]) => {
    for (const e of events) {
      const key = `${destination} ${e.name} ${e.id}`;
      state.accepted.set(key, (state.accepted.get(key) ?? 0) + 1);
    }
  };

  tiktok.respondBy((req) => {
    const kind = pickKind();
    state.answers[`tiktok ${kind}`] = (state.answers[`tiktok ${kind}`] ?? 0) + 1;
    const ok = { status: 200, body: { code: 0, message: 'OK', request_id: `storm${randomInt(1e9)}`, data: {} } };
    if (kind === 'ok' || kind === 'late') accept('tiktok', tiktokEvents(req));
    return answer(kind, ok, { status: 200, body: { code: 50002, message: 'Internal service error', request_id: 'storm', data: {} } }, hangMs);
  });
  meta.respondBy((req) => {
    const kind = pickKind();
    state.answers[`meta ${kind}`] = (state.answers[`meta ${kind}`] ?? 0) + 1;
    const events = metaEvents(req);
    const ok = { status: 200, body: { events_received: events.length, messages: [], fbtrace_id: 'StormTrace' } };
    if (kind === 'ok' || kind === 'late') accept('meta', events);
    // Meta's "200 with an error": fewer events received than sent.
    return answer(kind, ok, { status: 200, body: { events_received: 0, messages: [], fbtrace_id: 'StormTrace' } }, hangMs);
  });
  return state;
}

function answer(kind: Kind, ok: FakeResponse, errorIn200: FakeResponse, hangMs: number): FakeResponse {
  switch (kind) {
    case 'ok':
      return ok;
    case 'error-in-200':
      return errorIn200;
    case '429':
      return { status: 429, body: { error: 'rate limited' }, headers: { 'retry-after': '1' } };
    case '5xx':
      return { status: 502, body: '<html><body>502 Bad Gateway</body></html>' };
    case 'late':
      // Accepted by the platform, but after the sender's timeout: the sender must try again.
      return { ...ok, delayMs: hangMs };
  }
}

function tiktokEvents(req: RecordedRequest): { name: string; id: string }[] {
  const data = (req.body as { data?: { event: string; event_id: string }[] }).data ?? [];
  return data.map((e) => ({ name: e.event, id: e.event_id }));
}

function metaEvents(req: RecordedRequest): { name: string; id: string }[] {
  const data = (req.body as { data?: { event_name: string; event_id: string }[] }).data ?? [];
  return data.map((e) => ({ name: e.event_name, id: e.event_id }));
}
