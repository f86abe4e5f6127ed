import { describe, expect, it } from 'vitest';
import { browserContext } from '../../../src/http/browser-context.ts';

const NOW = 1_796_000_000_123;
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

describe('browserContext', () => {
  it('captures cookies, click ids from the Referer, IP, user agent and the whole page URL', () => {
    const referer = 'https://shop.example/pricing?plan=pro&fbclid=IwAR2xYz_Ab-9&ttclid=E.C.P.abc123#top';
    const req = new Request('https://site.example/.netlify/functions/x', {
      method: 'POST',
      headers: {
        cookie: '_fbp=fb.1.1795000000000.1098765432; _ttp=2QzTtp_cookie; other=1',
        referer,
        'user-agent': UA,
        'x-forwarded-for': '198.51.100.4, 10.0.0.1',
      },
    });
    expect(browserContext(req, {}, { nowMs: NOW })).toEqual({
      ipAddress: '198.51.100.4',
      userAgent: UA,
      fbc: `fb.1.${NOW}.IwAR2xYz_Ab-9`,
      fbp: 'fb.1.1795000000000.1098765432',
      fbclid: 'IwAR2xYz_Ab-9',
      ttclid: 'E.C.P.abc123',
      ttp: '2QzTtp_cookie',
      eventSourceUrl: referer,
    });
  });

  it('prefers the body’s fields and the _fbc cookie (with its original click time)', () => {
    const req = new Request('https://site.example/', {
      headers: { cookie: '_fbc=fb.1.1790000000000.CookieClick', referer: 'https://shop.example/?fbclid=RefClick&ttclid=RefT' },
    });
    const context = browserContext(req, { fbclid: 'BodyClick', ttclid: 'BodyT', event_source_url: 'https://shop.example/buy?x=1' }, { nowMs: NOW, contextIp: '::1' });
    expect(context).toEqual({
      ipAddress: '::1',
      fbc: 'fb.1.1790000000000.CookieClick',
      fbclid: 'BodyClick',
      ttclid: 'BodyT',
      eventSourceUrl: 'https://shop.example/buy?x=1',
    });
  });

  it('builds fbc from fbclid as fb.1.<ms>.<fbclid>, case kept, and not from a mangled one', () => {
    const req = new Request('https://site.example/', { headers: { cookie: '_fbc=garbage' } });
    expect(browserContext(req, { fbclid: 'AbCdEf-123_x' }, { nowMs: NOW }).fbc).toBe(`fb.1.${NOW}.AbCdEf-123_x`);
    expect(browserContext(req, { fbclid: 'bad value<script>' }, { nowMs: NOW }).fbc).toBeUndefined();
  });

  it('missing headers give an empty context, and a non-http Referer is ignored', () => {
    expect(browserContext(new Request('https://site.example/'), {}, { nowMs: NOW })).toEqual({});
    const req = new Request('https://site.example/', { headers: { referer: 'android-app://com.example/?fbclid=x' } });
    expect(browserContext(req, {}, { nowMs: NOW })).toEqual({});
  });
});
