/**
 * Python's `html.unescape` for the references prompts realistically contain: numeric references (with
 * Python's replacements for invalid code points) and the named entities of HTML 4 (Latin-1, symbols,
 * Greek, typography). Names of the Latin-1 set and amp/lt/gt/quot also match without the semicolon, as
 * HTML5's legacy rule allows.
 */

const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';

const GREEK =
  'Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho _ Sigma Tau Upsilon Phi Chi Psi Omega';

const OTHER: Record<string, number> = {
  quot: 34,
  amp: 38,
  apos: 39,
  lt: 60,
  gt: 62,
  OElig: 0x152,
  oelig: 0x153,
  Scaron: 0x160,
  scaron: 0x161,
  Yuml: 0x178,
  fnof: 0x192,
  circ: 0x2c6,
  tilde: 0x2dc,
  thetasym: 0x3d1,
  piv: 0x3d6,
  ensp: 0x2002,
  emsp: 0x2003,
  thinsp: 0x2009,
  zwnj: 0x200c,
  zwj: 0x200d,
  lrm: 0x200e,
  rlm: 0x200f,
  ndash: 0x2013,
  mdash: 0x2014,
  lsquo: 0x2018,
  rsquo: 0x2019,
  sbquo: 0x201a,
  ldquo: 0x201c,
  rdquo: 0x201d,
  bdquo: 0x201e,
  dagger: 0x2020,
  Dagger: 0x2021,
  bull: 0x2022,
  hellip: 0x2026,
  permil: 0x2030,
  prime: 0x2032,
  Prime: 0x2033,
  lsaquo: 0x2039,
  rsaquo: 0x203a,
  oline: 0x203e,
  frasl: 0x2044,
  euro: 0x20ac,
  trade: 0x2122,
  larr: 0x2190,
  uarr: 0x2191,
  rarr: 0x2192,
  darr: 0x2193,
  harr: 0x2194,
  rArr: 0x21d2,
  hArr: 0x21d4,
  infin: 0x221e,
  ne: 0x2260,
  le: 0x2264,
  ge: 0x2265,
  minus: 0x2212,
  times: 0xd7,
  hearts: 0x2665,
  spades: 0x2660,
  clubs: 0x2663,
  diams: 0x2666,
  star: 0x2606,
};

function buildTable(): { named: Map<string, string>; legacy: string[] } {
  const named = new Map<string, string>();
  LATIN1.split(' ').forEach((name, i) => named.set(name, String.fromCodePoint(0xa0 + i)));
  GREEK.split(' ').forEach((name, i) => {
    if (name === '_') return; // U+03A2 is unassigned
    named.set(name, String.fromCodePoint(0x391 + i));
    named.set(name.toLowerCase(), String.fromCodePoint(0x3b1 + i));
  });
  named.set('sigmaf', '\u03c2');
  for (const [name, code] of Object.entries(OTHER)) named.set(name, String.fromCodePoint(code));
  const legacy = [...LATIN1.split(' '), 'quot', 'amp', 'lt', 'gt', 'QUOT', 'AMP', 'LT', 'GT'].sort(
    (a, b) => b.length - a.length,
  );
  for (const [upper, lower] of [
    ['QUOT', 'quot'],
    ['AMP', 'amp'],
    ['LT', 'lt'],
    ['GT', 'gt'],
  ] as const)
    named.set(upper, named.get(lower)!);
  return { named, legacy };
}

const { named: NAMED, legacy: LEGACY } = buildTable();

/** Windows-1252 characters that HTML maps the C1 code points 0x80–0x9F to. */
// prettier-ignore
const CP1252: Record<number, number> = {
  0x80: 0x20ac, 0x82: 0x201a, 0x83: 0x192, 0x84: 0x201e, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021, 0x88: 0x2c6,
  0x89: 0x2030, 0x8a: 0x160, 0x8b: 0x2039, 0x8c: 0x152, 0x8e: 0x17d, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201c,
  0x94: 0x201d, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x2dc, 0x99: 0x2122, 0x9a: 0x161, 0x9b: 0x203a,
  0x9c: 0x153, 0x9e: 0x17e, 0x9f: 0x178,
};

function numeric(code: number): string {
  if (code === 0) return '\ufffd';
  if (code === 0x0d) return '\r';
  if (CP1252[code] !== undefined) return String.fromCodePoint(CP1252[code]!);
  if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return '\ufffd';
  // Python drops control characters and noncharacters
  if (
    (code >= 0x1 && code <= 0x8) ||
    code === 0xb ||
    (code >= 0xe && code <= 0x1f) ||
    (code >= 0x7f && code <= 0x9f)
  )
    return '';
  if ((code >= 0xfdd0 && code <= 0xfdef) || (code & 0xfffe) === 0xfffe) return '';
  return String.fromCodePoint(code);
}

/** Replaces character references in `text` as Python's `html.unescape` does (for the table above). */
export function htmlUnescape(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const digits = ref.replace(/;$/, '').slice(1);
      const code =
        digits[0] === 'x' || digits[0] === 'X' ? parseInt(digits.slice(1), 16) : parseInt(digits, 10);
      return numeric(code);
    }
    if (ref.endsWith(';') && NAMED.has(ref.slice(0, -1))) return NAMED.get(ref.slice(0, -1))!;
    const prefix = LEGACY.find((name) => ref.startsWith(name));
    return prefix ? NAMED.get(prefix)! + ref.slice(prefix.length) : whole;
  });
}
