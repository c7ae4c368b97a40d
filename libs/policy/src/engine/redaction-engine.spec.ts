import { expect } from '@jest/globals';
import { FAKE } from '../corpus/fake-values';
import { createRedactor, type Redactor } from '../redactor';
import { engineOf } from './engine-registry';
import { rememberedCleanTexts } from './redaction-engine';

const salt = (n: number) => new TextEncoder().encode(`engine-spec-salt-${String(n).padStart(6, '0')}`);
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
/** The texts a redactor's engine still holds in its memo (its private field, read for this spec only). */
const heldBy = (redactor: Redactor): number =>
  (engineOf(redactor) as unknown as { memo?: { texts?: { size: number } } }).memo?.texts?.size ?? 0;

describe('RedactionEngine: texts found clean are remembered once they repeat', () => {
  it('remembers a clean text the second time it is found clean, never one seen once', () => {
    const redactor = createRedactor({ salt: salt(1) });
    const before = rememberedCleanTexts();
    for (let i = 0; i < 500; i++) expect(redactor.scanText(`chatcmpl-once-${i}-x`)).toEqual([]);
    expect(rememberedCleanTexts()).toBe(before);
    expect(redactor.scanText('chat.completion.twice')).toEqual([]);
    expect(rememberedCleanTexts()).toBe(before);
    expect(redactor.scanText('chat.completion.twice')).toEqual([]);
    expect(rememberedCleanTexts()).toBe(before + 1);
    expect(redactor.scanText('chat.completion.twice')).toEqual([]);
    expect(rememberedCleanTexts()).toBe(before + 1);
  });

  it('never shares what one org remembered with another, even with the same detectors', () => {
    const first = createRedactor({ salt: salt(2) });
    const second = createRedactor({ salt: salt(3) });
    for (let round = 0; round < 2; round++) expect(first.scanText('a clean text of one org')).toEqual([]);
    const remembered = rememberedCleanTexts();
    // The second org scans it for itself: its first sighting is not remembered, its second is, in its own memo.
    expect(second.scanText('a clean text of one org')).toEqual([]);
    expect(rememberedCleanTexts()).toBe(remembered);
    expect(second.scanText('a clean text of one org')).toEqual([]);
    expect(rememberedCleanTexts()).toBe(remembered + 1);
    const [a] = first.scanText(`mail ${FAKE.email}`);
    const [b] = second.scanText(`mail ${FAKE.email}`);
    expect(a?.detector).toBe('email');
    expect(b?.detector).toBe('email');
    expect(a?.hash).not.toBe(b?.hash);
  });

  it('never lends a clean verdict to other detectors or other decode bounds', () => {
    const phoneOnly = createRedactor({ salt: salt(4), detectors: ['phone'] });
    const noDecoding = createRedactor({ salt: salt(4), maxDecodeDepth: 0 });
    const every = createRedactor({ salt: salt(4) });
    const encoded = base64(`write to ${FAKE.email} today`);
    for (let round = 0; round < 3; round++) {
      expect(phoneOnly.scanText(`note ${FAKE.email}`)).toEqual([]);
      expect(noDecoding.scanText(encoded)).toEqual([]);
    }
    expect(every.scanText(`note ${FAKE.email}`).map((f) => f.detector)).toEqual(['email']);
    expect(every.scanText(encoded).map((f) => [f.detector, f.via])).toEqual([['email', 'base64']]);
  });

  it('finds values with any number of orgs in the process, and bounds what all of them hold', () => {
    const redactors = Array.from({ length: 40 }, (_, i) => createRedactor({ salt: salt(10 + i), maxDecodeBytes: 4096 + i }));
    for (let round = 0; round < 3; round++) {
      for (const redactor of redactors) {
        expect(redactor.scanText('an ordinary sentence')).toEqual([]);
        expect(redactor.scanText(`reach me at ${FAKE.email}`).map((f) => f.detector)).toEqual(['email']);
      }
    }
    // 120 more orgs remember one text each: only the 64 most recent orgs' memos are kept, one text each.
    const many = Array.from({ length: 120 }, (_, i) => createRedactor({ salt: salt(100 + i) }));
    for (let round = 0; round < 2; round++) for (const redactor of many) expect(redactor.scanText('the same clean text')).toEqual([]);
    expect(rememberedCleanTexts()).toBe(64);
    // The orgs whose memos were pushed out hold nothing any more, even before they scan again.
    expect(many.slice(0, 56).map(heldBy)).toEqual(new Array(56).fill(0));
    expect(many.slice(56).map(heldBy)).toEqual(new Array(64).fill(1));
  });
});
