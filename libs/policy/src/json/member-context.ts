import { LRUCache } from 'lru-cache';
import { hasSsnContextWord } from '../detectors/ssn.detector';
import { detachedCopy } from '../text/detached-copy';
import { normalizeView } from '../text/normalize';
import { identityView } from '../text/text-view';

/** What a JSON member key says about the member's value, for the detectors. */
export interface MemberContext {
  /** The key as words (`customerSSN` → `customer SSN`), when they hold an SSN context word; else ''. */
  readonly label: string;
  /** The key names a phone (`phone`, `mobile`, `tel`, `msisdn`): a bare 10-15 digit value is a phone. */
  readonly phoneField: boolean;
}

/** The context of a value with no key (top level, or directly in a top-level array). */
export const NO_MEMBER_CONTEXT: MemberContext = Object.freeze({ label: '', phoneField: false });

/** Longest key tail read as context (the SSN window is 48 characters). */
const MAX_KEY_CHARS = 64;
const PHONE_WORD = /phone|mobile|msisdn|(?:^| )tel(?: |$)/i;

/** A key as space-separated words: camelCase, snake_case, kebab-case, dotted and fullwidth keys split. */
export function keyWords(key: string): string {
  const tail = key.length > MAX_KEY_CHARS ? key.slice(-MAX_KEY_CHARS) : key;
  return normalizeView(identityView(tail))
    .text.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[^A-Za-z0-9#]+/g, ' ')
    .trim();
}

/**
 * Distinct keys whose context is remembered (documents repeat `role`, `content`, `id` endlessly), and the longest key
 * remembered (so what is kept stays small whatever keys a client sends); a remembered key is a copy, never a slice that
 * would keep its document alive.
 */
const REMEMBERED_KEYS = 2048;
const MAX_REMEMBERED_KEY_LENGTH = 128;
const contexts = new LRUCache<string, MemberContext>({ max: REMEMBERED_KEYS });

/** What `key` says about its member's value (a pure function of the key, so remembered across documents). */
export function memberContext(key: string): MemberContext {
  let context = contexts.get(key);
  if (context !== undefined) return context;
  const words = keyWords(key);
  context = Object.freeze({ label: hasSsnContextWord(words) ? words : '', phoneField: PHONE_WORD.test(words) });
  if (key.length <= MAX_REMEMBERED_KEY_LENGTH) contexts.set(detachedCopy(key), context);
  return context;
}
