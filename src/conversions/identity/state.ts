/**
 * State / province (Meta `st`). Meta wants the two-letter code, lowercase, for the US; elsewhere
 * the value lowercase without whitespace or punctuation. We also map Canadian provinces because
 * Meta's own parameter builder does, and a browser pixel fed by it would hash "qc", not "quebec".
 *
 * Unlike the parameter builder we never truncate other countries' states to two letters: "nsw"
 * or "bayern" is what the doc's literal rule gives, and a truncated "ns"/"ba" matches nothing.
 */
import { compactLetters } from './names.ts';
import { normalizeCountry } from './country.ts';

/** US 50 states + DC + PR, then the 13 Canadian provinces and territories. Keys are compacted names. */
const CODES: Readonly<Record<string, string>> = {
  alabama: 'al', alaska: 'ak', arizona: 'az', arkansas: 'ar', california: 'ca', colorado: 'co',
  connecticut: 'ct', delaware: 'de', florida: 'fl', georgia: 'ga', hawaii: 'hi', idaho: 'id',
  illinois: 'il', indiana: 'in', iowa: 'ia', kansas: 'ks', kentucky: 'ky', louisiana: 'la',
  maine: 'me', maryland: 'md', massachusetts: 'ma', michigan: 'mi', minnesota: 'mn',
  mississippi: 'ms', missouri: 'mo', montana: 'mt', nebraska: 'ne', nevada: 'nv',
  newhampshire: 'nh', newjersey: 'nj', newmexico: 'nm', newyork: 'ny', northcarolina: 'nc',
  northdakota: 'nd', ohio: 'oh', oklahoma: 'ok', oregon: 'or', pennsylvania: 'pa',
  rhodeisland: 'ri', southcarolina: 'sc', southdakota: 'sd', tennessee: 'tn', texas: 'tx',
  utah: 'ut', vermont: 'vt', virginia: 'va', washington: 'wa', westvirginia: 'wv',
  wisconsin: 'wi', wyoming: 'wy', districtofcolumbia: 'dc', washingtondc: 'dc', puertorico: 'pr',
  alberta: 'ab', britishcolumbia: 'bc', manitoba: 'mb', newbrunswick: 'nb',
  newfoundlandandlabrador: 'nl', newfoundland: 'nl', novascotia: 'ns', northwestterritories: 'nt',
  nunavut: 'nu', ontario: 'on', princeedwardisland: 'pe', quebec: 'qc', saskatchewan: 'sk',
  yukon: 'yt',
};

/** Countries whose state names the table covers; an unknown country is tried too (no collisions). */
const MAPPED_COUNTRIES = new Set(['us', 'ca', 'pr']);

/** "Québec" and "Quebec" must meet in the table, so the lookup key drops diacritics. */
function lookupKey(compacted: string): string {
  return compacted.normalize('NFD').replace(/\p{M}+/gu, '');
}

export function normalizeState(raw: unknown, country?: unknown): string | undefined {
  const s = compactLetters(raw);
  if (s === undefined) return undefined;
  const cc = normalizeCountry(country);
  if (cc === undefined || MAPPED_COUNTRIES.has(cc)) {
    const code = CODES[lookupKey(s)];
    if (code !== undefined) return code;
  }
  return s;
}
