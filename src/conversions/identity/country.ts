/**
 * Country → ISO 3166-1 alpha-2, lowercase (Meta `country`), also the default region for phones.
 *
 * Stripe always sends a validated alpha-2 code, so the name table below is a small safety net for
 * hand-entered data, not a gazetteer. Codes are checked against the real ISO list rather than
 * /^[a-z]{2}$/ so that placeholders such as "xx" or "zz" are dropped instead of hashed.
 */
import { compactLetters } from './names.ts';

/** The 249 officially assigned ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which Stripe uses. */
const ISO_ALPHA2 = new Set(
  (
    'ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq br bs ' +
    'bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee ' +
    'eg eh er es et fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm ' +
    'hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc ' +
    'li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na ' +
    'nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw ' +
    'sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st sv sx sy sz tc td tf tg th tj tk tl tm tn to ' +
    'tr tt tv tw tz ua ug um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw xk'
  ).split(' '),
);

/**
 * Common English names and aliases, keyed by their compacted form (lowercase, no spaces or
 * punctuation). "uk" is not ISO but is what people type for Great Britain.
 */
const ALIASES: Readonly<Record<string, string>> = {
  uk: 'gb',
  unitedkingdom: 'gb',
  greatbritain: 'gb',
  england: 'gb',
  unitedstates: 'us',
  unitedstatesofamerica: 'us',
  usa: 'us',
  america: 'us',
  canada: 'ca',
  australia: 'au',
  newzealand: 'nz',
  ireland: 'ie',
  germany: 'de',
  deutschland: 'de',
  france: 'fr',
  spain: 'es',
  italy: 'it',
  netherlands: 'nl',
  sweden: 'se',
  sverige: 'se',
  norway: 'no',
  denmark: 'dk',
  finland: 'fi',
  switzerland: 'ch',
  japan: 'jp',
  southkorea: 'kr',
  china: 'cn',
  india: 'in',
  brazil: 'br',
  mexico: 'mx',
};

export function normalizeCountry(raw: unknown): string | undefined {
  const key = compactLetters(raw);
  if (key === undefined) return undefined;
  if (ISO_ALPHA2.has(key)) return key;
  return ALIASES[key];
}
