import type { FieldFinding, Finding } from './finding';
import { summarizeFindings } from './summarize-findings';

const f = (detector: Finding['detector'], kind: string, hash: string, via: Finding['via'], field?: string): Finding | FieldFinding =>
  field === undefined ? { detector, kind, hash, via } : { detector, kind, hash, via, field };

describe('summarizeFindings', () => {
  it('groups by detector in canonical order with sorted, distinct lists', () => {
    const findings = [
      f('secrets', 'openai_key', 'bbbbbbbb', 'plain', 'messages[1].content'),
      f('email', 'email', '22222222', 'split', 'metadata.b'),
      f('secrets', 'aws_access_key', 'aaaaaaaa', 'base64', 'input'),
      f('email', 'email', '11111111', 'plain', 'metadata.a'),
      f('email', 'email', '11111111', 'plain', 'metadata.a'),
    ];
    expect(summarizeFindings(findings)).toEqual([
      {
        detector: 'email',
        count: 3,
        fields: ['metadata.a', 'metadata.b'],
        hashes: ['11111111', '22222222'],
        kinds: ['email'],
        via: ['plain', 'split'],
      },
      {
        detector: 'secrets',
        count: 2,
        fields: ['input', 'messages[1].content'],
        hashes: ['aaaaaaaa', 'bbbbbbbb'],
        kinds: ['aws_access_key', 'openai_key'],
        via: ['base64', 'plain'],
      },
    ]);
  });

  it('is deterministic whatever the input order', () => {
    const findings = [
      f('phone', 'phone', '0a0a0a0a', 'plain', 'b'),
      f('ssn', 'ssn', '0b0b0b0b', 'normalized', 'a'),
      f('phone', 'phone', '0c0c0c0c', 'url_encoded', 'a'),
    ];
    expect(summarizeFindings([...findings].reverse())).toEqual(summarizeFindings(findings));
  });

  it('accepts findings without fields and returns [] for none', () => {
    expect(summarizeFindings([f('credit_card', 'credit_card', 'cccccccc', 'plain')])).toEqual([
      { detector: 'credit_card', count: 1, fields: [], hashes: ['cccccccc'], kinds: ['credit_card'], via: ['plain'] },
    ]);
    expect(summarizeFindings([])).toEqual([]);
  });
});
