// Letters from other scripts that render like Latin letters, mapped to the Latin letter they imitate, so
// `jоhn@ехаmple.com` (Cyrillic о, е, х, а) is read as `john@example.com`. The table is deliberately the
// confusable set people actually use for evasion (Cyrillic, Greek, Armenian and a few Latin variants), not
// the whole Unicode confusables list: mapping more would fold real non-Latin words into Latin ones.
const PAIRS: readonly (readonly [string, string])[] = [
  // Cyrillic capitals
  ['А', 'A'], ['В', 'B'], ['Е', 'E'], ['К', 'K'], ['М', 'M'], ['Н', 'H'], ['О', 'O'], ['Р', 'P'], ['С', 'C'],
  ['Т', 'T'], ['Х', 'X'], ['У', 'Y'], ['Ѕ', 'S'], ['І', 'I'], ['Ј', 'J'], ['Ү', 'Y'], ['Ԁ', 'D'], ['Ԛ', 'Q'],
  ['Ԝ', 'W'], ['Һ', 'H'], ['Ӏ', 'I'],
  // Cyrillic small letters
  ['а', 'a'], ['е', 'e'], ['о', 'o'], ['р', 'p'], ['с', 'c'], ['у', 'y'], ['х', 'x'], ['ѕ', 's'], ['і', 'i'],
  ['ј', 'j'], ['ԁ', 'd'], ['ԛ', 'q'], ['ԝ', 'w'], ['һ', 'h'], ['ӏ', 'l'], ['ү', 'y'], ['к', 'k'], ['ɡ', 'g'],
  // Greek capitals
  ['Α', 'A'], ['Β', 'B'], ['Ε', 'E'], ['Ζ', 'Z'], ['Η', 'H'], ['Ι', 'I'], ['Κ', 'K'], ['Μ', 'M'], ['Ν', 'N'], ['Ο', 'O'],
  ['Ρ', 'P'], ['Τ', 'T'], ['Υ', 'Y'], ['Χ', 'X'], ['Ϲ', 'C'], ['Ϳ', 'J'],
  // Greek small letters
  ['ο', 'o'], ['ν', 'v'], ['α', 'a'], ['ι', 'i'], ['κ', 'k'], ['ρ', 'p'], ['υ', 'u'], ['χ', 'x'], ['ϲ', 'c'],
  ['ϳ', 'j'],
  // Armenian
  ['օ', 'o'], ['ս', 'u'], ['հ', 'h'], ['ո', 'n'], ['ց', 'g'], ['զ', 'q'],
  // Latin variants that NFKC leaves alone
  ['ı', 'i'], ['ȷ', 'j'], ['ɑ', 'a'], ['ɩ', 'i'], ['ʏ', 'y'], ['ɪ', 'i'], ['ʀ', 'r'], ['ᴀ', 'a'], ['ᴄ', 'c'],
  ['ᴏ', 'o'], ['ꓲ', 'I'],
];

/** Code point → the Latin letter it imitates. */
export const HOMOGLYPHS: ReadonlyMap<number, string> = new Map(
  PAIRS.map(([from, to]) => [from.codePointAt(0) as number, to] as const),
);
