import type { SplitPart } from './split-scan';

/** Which of an element object's text-bearing members a reading takes. */
type MemberChoice = 'text' | 'content' | 'text_else_content' | 'content_else_text';

const CHOICES: readonly MemberChoice[] = ['text_else_content', 'content_else_text', 'text', 'content'];
/** The readings of elements with duplicate or competing members, as providers may parse them. */
const READINGS = CHOICES.flatMap((choice) => [[choice, 'last'] as const, [choice, 'first'] as const]);

/** The part an element contributes to a reading, or undefined when it has none there. */
function pick(members: readonly SplitPart[], choice: MemberChoice, end: 'first' | 'last'): SplitPart | undefined {
  let eligible = members;
  if (members[0]?.member !== undefined) {
    const texts = members.filter((part) => part.member === 'text');
    const contents = members.filter((part) => part.member === 'content');
    if (choice === 'text') eligible = texts;
    else if (choice === 'content') eligible = contents;
    else if (choice === 'text_else_content') eligible = texts.length > 0 ? texts : contents;
    else eligible = contents.length > 0 ? contents : texts;
  }
  return end === 'first' ? eligible[0] : eligible[eligible.length - 1];
}

/** Groups consecutive parts of the same element. */
function byElement(parts: readonly SplitPart[]): SplitPart[][] {
  const groups: SplitPart[][] = [];
  for (const part of parts) {
    const last = groups[groups.length - 1];
    if (last?.[0]?.element === part.element) last.push(part);
    else groups.push([part]);
  }
  return groups;
}

/**
 * The sequences of an array's text-bearing parts to join and scan. With one part per element that is the
 * parts in order. When an element has several (duplicate `text` keys, or both `text` and `content`), which
 * one a provider reads depends on its JSON parser (first or last duplicate wins) and its schema (`text` or
 * `content`, or one preferred to the other), so every such reading is joined. So are all the parts in
 * document order, cut between two members of the same element: a provider reads one of them, never both
 * glued together, but each one next to its neighbouring elements. Identical sequences are scanned once; at
 * most 8 readings, and the document-order runs hold each part once.
 */
export function splitReadings(parts: readonly SplitPart[], hasCompetingMembers: boolean): SplitPart[][] {
  if (!hasCompetingMembers) return parts.length >= 2 ? [[...parts]] : [];
  const sequences: SplitPart[][] = [];
  let run: SplitPart[] = [];
  for (const part of parts) {
    if (run.at(-1)?.element === part.element) {
      sequences.push(run);
      run = [];
    }
    run.push(part);
  }
  sequences.push(run);
  const elements = byElement(parts);
  for (const [choice, end] of READINGS) {
    const reading: SplitPart[] = [];
    for (const members of elements) {
      const part = pick(members, choice, end);
      if (part !== undefined) reading.push(part);
    }
    sequences.push(reading);
  }
  const seen = new Set<string>();
  return sequences.filter((sequence) => {
    if (sequence.length < 2) return false;
    const key = sequence.map((part) => part.token.start).join(',');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
