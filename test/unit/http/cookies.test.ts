import { describe, expect, it } from 'vitest';
import { parseCookies, readCookie } from '../../../src/http/cookies.ts';

describe('parseCookies', () => {
  it('reads the pixels’ cookies verbatim', () => {
    const cookies = parseCookies('_fbp=fb.1.1733000000000.123456789; _fbc=fb.1.1733000000000.AbC-dEf_1; _ttp=2Qz9aB_cD-eF');
    expect(cookies).toEqual({ _fbp: 'fb.1.1733000000000.123456789', _fbc: 'fb.1.1733000000000.AbC-dEf_1', _ttp: '2Qz9aB_cD-eF' });
  });

  it('skips malformed pairs and keeps the rest', () => {
    const cookies = parseCookies('garbage; =novalue; bad name=x; ;;; _fbp=fb.1.2.3; a=b=c; ctl=x\u0001y; last=1');
    expect({ ...cookies }).toEqual({ _fbp: 'fb.1.2.3', a: 'b=c', last: '1' });
  });

  it('keeps the first of duplicate names', () => {
    expect(parseCookies('_fbc=first; _fbc=second')._fbc).toBe('first');
  });

  it('unquotes and percent-decodes, keeping a broken escape as written', () => {
    const cookies = parseCookies('q="quoted value"; enc=a%20b; broken=100%zz; half="x');
    expect({ ...cookies }).toEqual({ q: 'quoted value', enc: 'a b', broken: '100%zz', half: '"x' });
  });

  it('treats names like __proto__ as plain keys', () => {
    const cookies = parseCookies('__proto__=x; constructor=y');
    expect(cookies.__proto__).toBe('x');
    expect(Object.getPrototypeOf(cookies)).toBeNull();
    expect(cookies.constructor).toBe('y');
  });

  it('a missing or empty header is no cookies', () => {
    expect({ ...parseCookies(null) }).toEqual({});
    expect({ ...parseCookies('') }).toEqual({});
    expect(readCookie(new Request('http://x/'), '_fbp')).toBeUndefined();
    expect(readCookie(new Request('http://x/', { headers: { cookie: '_fbp=v' } }), '_fbp')).toBe('v');
  });
});
