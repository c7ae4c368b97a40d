import { PolicyEvaluationError } from '../policy-evaluation-error';
import { createRedactor } from '../redactor';
import { redactQuery } from './redact-query';

const redactor = createRedactor({ salt: new TextEncoder().encode('redact-query-spec-salt-01') });
const EMAIL = 'jane.doe@example.com';
const SSN = '123-45-6789';
const placeholder = (text: string) => redactor.redactText(text).text;

describe('redactQuery', () => {
  it('finds nothing in an empty query or one with nothing to find, and rewrites nothing', () => {
    expect(redactQuery(redactor, '', { mode: 'redact' })).toEqual({ findings: [] });
    expect(redactQuery(redactor, 'limit=10&after=file-abc123&order=desc&flag&a=b=c&x=%20y', { mode: 'redact' })).toEqual({ findings: [] });
  });

  it('scans decoded names and values: percent-escapes and + as a space', () => {
    const { findings, query } = redactQuery(redactor, `u=${encodeURIComponent(EMAIL)}&note=my+ssn+is+${SSN}`, { mode: 'scan' });
    expect(query).toBeUndefined();
    expect(findings.map((f) => [f.detector, f.field])).toEqual([
      ['email', 'query.u'],
      ['ssn', 'query.note'],
    ]);
    expect(JSON.stringify(findings)).not.toContain('jane');
  });

  it('rewrites only the components with a finding, URL-encoding their placeholders; everything else stays as sent', () => {
    const raw = `a=1&user=${encodeURIComponent(EMAIL)}&b=x+y&note=ssn+${SSN}+ok&c=%7E`;
    const { query, findings } = redactQuery(redactor, raw, { mode: 'redact' });
    expect(findings).toHaveLength(2);
    expect(query).toBe(
      `a=1&user=${encodeURIComponent(placeholder(EMAIL))}&b=x+y&note=${encodeURIComponent(`ssn ${placeholder(SSN)} ok`)}&c=%7E`,
    );
    const params = new URLSearchParams(query);
    expect(params.get('user')).toMatch(/^\[EMAIL:[0-9a-f]{8}\]$/);
    expect(params.get('note')).toMatch(/^ssn \[SSN:[0-9a-f]{8}\] ok$/);
  });

  it('redacts a name that is itself a value, and names its field by the placeholder', () => {
    const { query, findings } = redactQuery(redactor, `${encodeURIComponent(EMAIL)}=1&${SSN}`, { mode: 'redact' });
    expect(query).toBe(`${encodeURIComponent(placeholder(EMAIL))}=1&${encodeURIComponent(placeholder(SSN))}`);
    expect(findings.map((f) => f.field)).toEqual([
      `query[${JSON.stringify(placeholder(EMAIL))}]`,
      `query[${JSON.stringify(placeholder(SSN))}]`,
    ]);
  });

  it('catches values hidden by double encoding, as body text does', () => {
    const twice = encodeURIComponent(encodeURIComponent(EMAIL));
    expect(redactQuery(redactor, `u=${twice}`, { mode: 'scan' }).findings.map((f) => f.detector)).toEqual(['email']);
  });

  it('fails as unparseable on a component that is not valid percent-encoded UTF-8', () => {
    for (const raw of ['u=%E0%A4', 'u=%zz', '%FF=1']) {
      for (const mode of ['scan', 'redact'] as const) {
        let thrown: unknown;
        try {
          redactQuery(redactor, raw, { mode });
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(PolicyEvaluationError);
        expect({ raw, mode, reason: (thrown as PolicyEvaluationError).reason }).toEqual({ raw, mode, reason: 'unparseable' });
      }
    }
  });

  it('fails as timeout past its deadline', () => {
    let thrown: unknown;
    try {
      redactQuery(redactor, `u=${EMAIL}`, { mode: 'scan', deadline: performance.now() - 1 });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as PolicyEvaluationError | undefined)?.reason).toBe('timeout');
  });
});
