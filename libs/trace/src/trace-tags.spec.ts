import { MAX_TAG_LENGTH, MAX_TAGS, parseTags } from './trace-tags';

describe('parseTags (X-NavPlane-Tags)', () => {
  it('reads comma-separated tags: trimmed, case kept, duplicates collapsed in first-seen order', () => {
    expect(parseTags('team:search, Feature/Summarize ,v1.2,team:search,a_b-c')).toEqual({
      ok: true,
      value: ['team:search', 'Feature/Summarize', 'v1.2', 'a_b-c'],
    });
    // Node joins a repeated header with ", ".
    expect(parseTags(['a', 'b, a'])).toEqual({ ok: true, value: ['a', 'b'] });
  });

  it('no header, or an empty one, is no tags', () => {
    expect(parseTags(undefined)).toEqual({ ok: true, value: [] });
    expect(parseTags('  ')).toEqual({ ok: true, value: [] });
  });

  it(`allows ${MAX_TAGS} different tags of up to ${MAX_TAG_LENGTH} characters`, () => {
    const ten = Array.from({ length: MAX_TAGS }, (_, i) => `t${i}`.padEnd(MAX_TAG_LENGTH, 'x'));
    expect(parseTags(ten.join(','))).toEqual({ ok: true, value: ten });
    // Duplicates do not count twice.
    expect(parseTags([...ten, ...ten].join(','))).toEqual({ ok: true, value: ten });
  });

  it('refuses too many tags, a long or empty tag and other characters, naming the rule and position, never the text', () => {
    const refused = (header: string) => {
      const result = parseTags(header);
      if (result.ok) throw new Error(`accepted ${header}`);
      return result.error;
    };
    expect(refused(Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`).join(','))).toBe(
      `X-NavPlane-Tags: at most ${MAX_TAGS} different tags per request`,
    );
    expect(refused(`ok,${'x'.repeat(MAX_TAG_LENGTH + 1)}`)).toBe(`X-NavPlane-Tags: tag 2 is longer than ${MAX_TAG_LENGTH} characters`);
    expect(refused('a,,b')).toMatch(/^X-NavPlane-Tags: tag 2 is empty/);
    expect(refused('a,')).toMatch(/^X-NavPlane-Tags: tag 2 is empty/);
    for (const bad of ['sk-secret value', 'a;b', 'é', 'a"b', 'tag\t2', 'a=b', 'a*']) {
      const message = refused(`fine,${bad}`);
      expect(message).toBe('X-NavPlane-Tags: tag 2 has a character other than letters, digits and . _ : / -');
    }
  });
});
