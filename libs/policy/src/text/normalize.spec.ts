import { codePointAt } from './code-point-at';
import { foldCodePoint } from './fold-code-point';
import { normalizeStep, normalizeView } from './normalize';
import { percentDecodeStep } from './percent-decode';
import { identityView, originalSpan } from './text-view';

const fold = (char: string): string => foldCodePoint(codePointAt(char, 0));

describe('foldCodePoint', () => {
  it.each([
    ['fullwidth letter', '\uff41', 'a'],
    ['fullwidth at sign', '\uff20', '@'],
    ['small commercial at', '\ufe6b', '@'],
    ['fullwidth full stop', '\uff0e', '.'],
    ['ideographic full stop', '\u3002', '.'],
    ['zero width space', '\u200b', ''],
    ['zero width joiner', '\u200d', ''],
    ['word joiner', '\u2060', ''],
    ['invisible separator', '\u2063', ''],
    ['byte order mark', '\ufeff', ''],
    ['soft hyphen', '\u00ad', ''],
    ['right-to-left override', '\u202e', ''],
    ['tag character', '\u{e0041}', ''],
    ['variation selector', '\ufe0f', ''],
    ['combining acute accent', '\u0301', ''],
    ['Hangul filler', '\u3164', ''],
    ['Cyrillic a', 'а', 'a'],
    ['Cyrillic dze', 'ѕ', 's'],
    ['Cyrillic capital ka', 'К', 'K'],
    ['Greek capital alpha', 'Α', 'A'],
    ['Greek omicron', 'ο', 'o'],
    ['dotless i', 'ı', 'i'],
    ['en dash', '\u2013', '-'],
    ['non-breaking hyphen', '\u2011', '-'],
    ['minus sign', '\u2212', '-'],
    ['fullwidth hyphen-minus', '\uff0d', '-'],
    ['no-break space', '\u00a0', ' '],
    ['ideographic space', '\u3000', ' '],
    ['thin space', '\u2009', ' '],
    ['Arabic-Indic four', '٤', '4'],
    ['Devanagari seven', '७', '7'],
    ['mathematical bold four', '𝟒', '4'],
    ['circled digit', '④', '4'],
    ['precomposed e acute', 'é', 'e'],
    ['ligature fi', 'ﬁ', 'fi'],
    ['Han character', '中', '中'],
    ['Hangul syllable', '한', '한'],
    ['emoji', '👍', '👍'],
  ])('folds %s', (_name, input, expected) => {
    expect(fold(input)).toBe(expected);
  });

  it('maps printable ASCII, tab, LF and CR to themselves', () => {
    for (let cp = 0x20; cp < 0x7f; cp++) expect(foldCodePoint(cp)).toBe(String.fromCharCode(cp));
    for (const cp of [0x09, 0x0a, 0x0d]) expect(foldCodePoint(cp)).toBe(String.fromCharCode(cp));
  });

  it.each([
    ['every C0 control but tab, LF and CR', [...Array(0x20).keys()].filter((cp) => ![0x09, 0x0a, 0x0d].includes(cp))],
    ['DEL and every C1 control (NEL included)', [...Array(0x21).keys()].map((k) => 0x7f + k)],
    ['lone surrogates', [0xd800, 0xdbff, 0xdc00, 0xdfff]],
    ['the braille pattern blank and the object replacement character', [0x2800, 0xfffc]],
    ['the Hangul fillers', [0x115f, 0x1160, 0x3164, 0xffa0]],
  ])('drops %s', (_name, codePoints) => {
    for (const cp of codePoints) expect([cp, foldCodePoint(cp)]).toEqual([cp, '']);
  });
});

describe('normalizeStep', () => {
  it('returns undefined for text that is already normal', () => {
    expect(normalizeStep('plain ascii text, 100% fine')).toBeUndefined();
    expect(normalizeStep('中文和 emoji 👍 are kept')).toBeUndefined();
  });

  it.each([
    ['\\u escapes', 'a\\u0040b.co', 'a@b.co'],
    ['surrogate-pair escapes', 'x\\ud83d\\ude00y', 'x😀y'],
    ['braced escapes', 'a\\u{40}b', 'a@b'],
    ['\\x escapes', 'a\\x40b', 'a@b'],
    ['decimal references', 'a&#64;b', 'a@b'],
    ['hex references', 'a&#x40;b', 'a@b'],
    ['named references', 'a&commat;b&period;co', 'a@b.co'],
    ['lone surrogate escapes stay', 'a\\ud800b', 'a\\ud800b'],
    ['escaped control characters', 'a\\u0000b\\x07c&#7;d', 'abcd'],
    ['raw control characters', 'a\u0000b\u0007c\u001bd\u007fe\u0085f\u009fg', 'abcdefg'],
    ['lone surrogates', 'a\ud800b\udc00c', 'abc'],
    ['tab, LF and CR kept', 'a\tb\nc\rd\u0000', 'a\tb\nc\rd'],
    ['unknown named references stay', 'a&copy;b', 'a&copy;b'],
  ])('decodes %s', (_name, input, expected) => {
    expect(normalizeView(identityView(input)).text).toBe(expected);
  });

  it('maps every normalised character back to its original span', () => {
    const original = 'x\u200bｊ\u0301о&#64;e\\u0078.co y';
    const view = normalizeView(identityView(original));
    expect(view.text).toBe('xjo@ex.co y');
    expect(originalSpan(view, 1, 9)).toEqual([2, original.length - 2]);
    const at = view.text.indexOf('@');
    const [start, end] = originalSpan(view, at, at + 1);
    expect(original.slice(start, end)).toBe('&#64;');
  });
});

describe('normalizeView of hidden characters', () => {
  it.each([
    ['a NUL', 'jane.doe\u0000@example.com'],
    ['a BEL and an ESC', 'ja\u0007ne.doe@exa\u001bmple.com'],
    ['a lone surrogate', 'jane.doe@\ud800example.com'],
    ['a braille blank', 'jane.doe\u2800@example.com'],
    ['an object replacement character', 'jane.doe@example\ufffc.com'],
  ])('reads past %s and maps the value back over it', (_name, original) => {
    const view = normalizeView(identityView(original));
    expect(view.text).toBe('jane.doe@example.com');
    expect(originalSpan(view, 0, view.text.length)).toEqual([0, original.length]);
  });

  it('leaves printable ASCII with tabs and newlines unchanged', () => {
    expect(normalizeStep('a\tb\r\nc')).toBeUndefined();
  });
});

describe('percentDecodeStep', () => {
  it.each([
    ['an ASCII escape', 'a%40b', 'a@b'],
    ['a UTF-8 sequence', 'x%EF%BC%A0y', 'x＠y'],
    ['lower-case hex', '%6a%6f', 'jo'],
    ['an invalid byte next to a valid one', 'a%FF%40b', 'a%FF@b'],
    ['only an invalid byte', 'a%FFb', undefined],
    ['only a truncated sequence', 'a%E2%82b', undefined],
    ['only an overlong encoding', '%C0%80', undefined],
    ['a lone percent sign', '100% sure', undefined],
  ])('decodes %s', (_name, input, expected) => {
    expect(percentDecodeStep(input)?.text).toBe(expected);
  });
});
