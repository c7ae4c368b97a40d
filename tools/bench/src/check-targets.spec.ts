import {
  checkExitCode,
  evaluateTargets,
  formatCheck,
  median,
  parseSkip,
  sampleNearest,
  soakReferenceSeconds,
  type CheckInput,
  type CheckLine,
  type LimitsFigures,
  type RunFigures,
  type TargetFigures,
  type TracingFigures,
} from './check-targets';

const target = (overrides: Partial<TargetFigures> = {}): TargetFigures => ({
  jsonRps: 1000,
  streamRps: 800,
  cpuUsJson: 100,
  cpuUsStream: 120,
  addedP50: 0.2,
  addedP99: 1,
  addedTtfcP50: 0.3,
  addedTtfcP99: 1.2,
  errors: 0,
  ...overrides,
});

/**
 * A run where the gateway meets every target: as fast as Express, 2 × the floor's CPU, +0.1 ms p50; and the routed
 * gateway too, at 95 % of the plain gateway's throughput.
 */
const goodRun = (gateway: Partial<TargetFigures> = {}, routed: Partial<TargetFigures> = {}): RunFigures => ({
  bare: target({ jsonRps: 2000, streamRps: 1500, cpuUsJson: 50, cpuUsStream: 60 }),
  express: target({ jsonRps: 900, streamRps: 700 }),
  gateway: target({
    jsonRps: 1000,
    streamRps: 800,
    cpuUsJson: 100,
    cpuUsStream: 120,
    addedP50: 0.3,
    addedP99: 2,
    addedTtfcP50: 0.4,
    ...gateway,
  }),
  routed: target({
    jsonRps: 950,
    streamRps: 760,
    cpuUsJson: 105,
    cpuUsStream: 125,
    addedP50: 0.32,
    addedP99: 2.1,
    addedTtfcP50: 0.42,
    ...routed,
  }),
  gatewayCapturedTraces: 1000,
});

const tracing = (on: number, off: number, off2: number): TracingFigures => ({
  on: { p50: on, p90: on, p99: on },
  off: { p50: off, p90: off, p99: off },
  off2: { p50: off2, p90: off2, p99: off2 },
  errors: 0,
});

/** Limits on vs off: the latencies, with every request of the limited gateway answered and the limits in force. */
const limits = (on: number, off: number, off2: number, overrides: Partial<LimitsFigures> = {}): LimitsFigures => ({
  ...tracing(on, off, off2),
  onNon200: 0,
  inForce: true,
  ...overrides,
});

const fullInput = (overrides: Partial<CheckInput> = {}): CheckInput => ({
  runs: [goodRun(), goodRun(), goodRun()],
  tracing: tracing(1.02, 1, 1.01),
  otel: tracing(1.01, 1, 1.02),
  limits: limits(1.03, 1, 1.01),
  soak: { referenceSeconds: 120, referenceRssKib: 100_000, endRssKib: 105_000, seconds: 600, errors: 0 },
  skipped: {},
  ...overrides,
});

const line = (lines: CheckLine[], name: string): CheckLine => {
  const found = lines.find((l) => l.name.startsWith(name));
  if (!found) throw new Error(`no line ${name}: ${lines.map((l) => l.name).join(' | ')}`);
  return found;
};

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10, -1, 7, 3, 5])).toBe(5);
  });

  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN for no values and does not reorder its input', () => {
    expect(median([])).toBeNaN();
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('evaluateTargets', () => {
  it('passes every target of a run that meets them, and exits 0', () => {
    const lines = evaluateTargets(fullInput());
    expect(lines.filter((l) => l.status === 'FAIL')).toEqual([]);
    expect(lines.filter((l) => l.status === 'SKIPPED')).toEqual([]);
    // The bare-floor throughput ratios are informational, never PASS or FAIL.
    expect(lines.filter((l) => l.name.includes('/ bare floor') && l.name.startsWith('saturation')).map((l) => l.status)).toEqual([
      'INFO',
      'INFO',
      'INFO',
      'INFO',
    ]);
    expect(checkExitCode(lines)).toBe(0);
  });

  it('fails a missed target and exits non-zero', () => {
    const slow = goodRun({ jsonRps: 850 }); // 850 / 900 < 100 % of Express
    const lines = evaluateTargets(fullInput({ runs: [slow, slow, slow] }));
    expect(line(lines, 'saturation JSON req/s, gateway / Express').status).toBe('FAIL');
    expect(line(lines, 'saturation stream req/s, gateway / Express').status).toBe('PASS');
    expect(checkExitCode(lines)).toBe(1);
    expect(formatCheck(lines)).toMatch(/1 FAIL.*exit 1/);
  });

  it('applies each target to the median of the per-run values', () => {
    // CPU ratio per run: 2.0, 3.0, 2.1 → median 2.1 ≤ 2.2: one bad run does not fail the check.
    const runs = [goodRun({ cpuUsJson: 100 }), goodRun({ cpuUsJson: 150 }), goodRun({ cpuUsJson: 105 })];
    const cpu = line(evaluateTargets(fullInput({ runs })), 'proxy CPU µs/request JSON');
    expect(cpu.status).toBe('PASS');
    expect(cpu.value).toBe('×2.10');
    // Two bad runs out of three: median 3.0 > 2.2.
    const worse = [goodRun({ cpuUsJson: 150 }), goodRun({ cpuUsJson: 150 }), goodRun({ cpuUsJson: 105 })];
    expect(line(evaluateTargets(fullInput({ runs: worse })), 'proxy CPU µs/request JSON').status).toBe('FAIL');
  });

  it('compares added latency with the floor’s in the same run', () => {
    // Gateway +0.5 ms vs bare +0.2 ms: 0.3 > 0.25 → FAIL; the p99 margin is 1.5 ms.
    const lines = evaluateTargets(fullInput({ runs: [goodRun({ addedP50: 0.5, addedP99: 2.6 })] }));
    expect(line(lines, 'added p50 JSON').status).toBe('FAIL');
    expect(line(lines, 'added p99 JSON').status).toBe('FAIL');
    expect(line(lines, 'added TTFC p50').status).toBe('PASS');
    const ok = evaluateTargets(fullInput({ runs: [goodRun({ addedP50: 0.44, addedP99: 2.5 })] }));
    expect(line(ok, 'added p50 JSON').status).toBe('PASS');
    expect(line(ok, 'added p99 JSON').status).toBe('PASS');
  });

  it('never passes a figure that could not be measured (NaN)', () => {
    const lines = evaluateTargets(fullInput({ runs: [goodRun({ cpuUsStream: Number.NaN })] }));
    expect(line(lines, 'proxy CPU µs/request stream').status).toBe('FAIL');
    expect(checkExitCode(lines)).toBe(1);
  });

  it('judges tracing on vs off against the A/A band, with a 5 % floor', () => {
    // A/A −1 % → band 5 % (the floor): on +4 % passes, +6 % fails.
    expect(line(evaluateTargets(fullInput({ tracing: tracing(1.04, 1, 0.99) })), 'tracing on vs off p50').status).toBe('PASS');
    const miss = evaluateTargets(fullInput({ tracing: tracing(1.06, 1, 0.99) }));
    expect(line(miss, 'tracing on vs off p90').status).toBe('FAIL');
    expect(checkExitCode(miss)).toBe(1);
    // Only a slowdown counts: a traced gateway measured faster than the untraced one (−70 %) is noise, not a cost.
    expect(line(evaluateTargets(fullInput({ tracing: tracing(0.3, 1, 1.4) })), 'tracing on vs off p99').status).toBe('PASS');
    // A/A +12 % widens the band to 12 %: on −10 % passes; the calibration is printed beside.
    const wide = line(evaluateTargets(fullInput({ tracing: tracing(0.9, 1, 1.12) })), 'tracing on vs off p99');
    expect(wide.status).toBe('PASS');
    expect(wide.detail).toContain('A/A calibration +12.0 %');
  });

  it('judges OpenTelemetry on vs off against its A/A band, with a 5 % floor', () => {
    expect(line(evaluateTargets(fullInput({ otel: tracing(1.04, 1, 1.01) })), 'OpenTelemetry on vs off p50').status).toBe('PASS');
    const miss = evaluateTargets(fullInput({ otel: tracing(1.08, 1, 1.01) }));
    expect(line(miss, 'OpenTelemetry on vs off p99').status).toBe('FAIL');
    expect(line(miss, 'OpenTelemetry on vs off p99').detail).toContain('A/A calibration +1.0 %');
    expect(checkExitCode(miss)).toBe(1);
    expect(line(evaluateTargets(fullInput({ otel: { ...tracing(1, 1, 1), errors: 2 } })), 'failed or non-200').status).toBe('FAIL');
  });

  it('judges limits on vs off against its A/A band, with a 5 % floor', () => {
    expect(line(evaluateTargets(fullInput({ limits: limits(1.04, 1, 1.01) })), 'limits on vs off p50').status).toBe('PASS');
    const miss = evaluateTargets(fullInput({ limits: limits(1.08, 1, 1.01) }));
    expect(line(miss, 'limits on vs off p99').status).toBe('FAIL');
    expect(line(miss, 'limits on vs off p99').detail).toContain('A/A calibration +1.0 %');
    expect(checkExitCode(miss)).toBe(1);
    // A/A −9 % widens the band to 9 %: on +8 % passes.
    expect(line(evaluateTargets(fullInput({ limits: limits(1.08, 1, 0.91) })), 'limits on vs off p90').status).toBe('PASS');
    expect(line(evaluateTargets(fullInput({ limits: { ...limits(1, 1, 1), errors: 2 } })), 'failed or non-200').detail).toContain(
      'limits 2',
    );
  });

  it('fails the limits part when a request of the limited gateway was refused, or its limits did not run', () => {
    const refused = evaluateTargets(fullInput({ limits: limits(1, 1, 1, { onNon200: 3 }) }));
    expect(line(refused, 'limits on: every request answered 200')).toMatchObject({ status: 'FAIL', value: '3' });
    expect(checkExitCode(refused)).toBe(1);
    const notInForce = evaluateTargets(fullInput({ limits: limits(1, 1, 1, { inForce: false }) }));
    expect(line(notInForce, 'limits on: in force')).toMatchObject({ status: 'FAIL', value: 'no' });
    expect(checkExitCode(notInForce)).toBe(1);
    expect(line(evaluateTargets(fullInput()), 'limits on: in force').status).toBe('PASS');
  });

  it('skips every limits line with the reason when Redis did not answer', () => {
    const { limits: _limits, ...rest } = fullInput();
    const lines = evaluateTargets({ ...rest, skipped: { limits: 'Redis at 127.0.0.1:6379 does not answer' } });
    const limitLines = lines.filter((l) => l.name.startsWith('limits'));
    expect(limitLines).toHaveLength(5);
    expect(limitLines.every((l) => l.status === 'SKIPPED' && l.detail === 'Redis at 127.0.0.1:6379 does not answer')).toBe(true);
    expect(checkExitCode(lines)).toBe(0);
  });

  it('judges the soak by the end RSS within 10 % of the reference, both ways', () => {
    const soak = (end: number): CheckInput['soak'] => ({
      referenceSeconds: 120,
      referenceRssKib: 100_000,
      endRssKib: end,
      seconds: 600,
      errors: 0,
    });
    expect(line(evaluateTargets(fullInput({ soak: soak(110_000) })), 'RSS').status).toBe('PASS');
    expect(line(evaluateTargets(fullInput({ soak: soak(111_000) })), 'RSS').status).toBe('FAIL');
    expect(line(evaluateTargets(fullInput({ soak: soak(89_000) })), 'RSS').status).toBe('FAIL');
    expect(line(evaluateTargets(fullInput({ soak: soak(111_000) })), 'RSS').name).toContain('minute 2');
  });

  it('fails when a request failed, and when the gateway stored no body (capture not in effect)', () => {
    const errors = evaluateTargets(fullInput({ runs: [goodRun({ errors: 3 })] }));
    expect(line(errors, 'failed or non-200').status).toBe('FAIL');
    const noCapture = evaluateTargets(fullInput({ runs: [{ ...goodRun(), gatewayCapturedTraces: 0 }] }));
    expect(line(noCapture, 'gateway stored request bodies').status).toBe('FAIL');
  });

  it('prints skipped parts as SKIPPED, never PASS, and they do not fail the check', () => {
    const lines = evaluateTargets(
      fullInput({
        soak: undefined,
        tracing: undefined,
        skipped: { soak: 'BENCH_CHECK_SKIP=soak,tracing', tracing: 'BENCH_CHECK_SKIP=soak,tracing' },
      }),
    );
    const rss = line(lines, 'RSS');
    expect(rss.status).toBe('SKIPPED');
    expect(rss.detail).toContain('BENCH_CHECK_SKIP');
    expect(lines.filter((l) => l.name.startsWith('tracing')).map((l) => l.status)).toEqual(['SKIPPED', 'SKIPPED', 'SKIPPED']);
    expect(checkExitCode(lines)).toBe(0);
    expect(formatCheck(lines)).toMatch(/SKIPPED +RSS/);
  });

  it('skips a skipped part even when figures are present (a skipped part is never judged)', () => {
    const lines = evaluateTargets(fullInput({ skipped: { compare: 'BENCH_CHECK_SKIP=compare' } }));
    const compare = lines.filter((l) => l.name.startsWith('saturation') || l.name.startsWith('proxy CPU') || l.name.startsWith('added'));
    expect(compare.length).toBe(20); // 9 per gateway path (plain, routed) and the two routed / plain ratios
    expect(compare.every((l) => l.status === 'SKIPPED')).toBe(true);
  });

  it('skips the comparisons whose reference was left out by BENCH_ONLY', () => {
    const { express: _express, ...withoutExpress } = goodRun();
    const lines = evaluateTargets(fullInput({ runs: [withoutExpress] }));
    expect(line(lines, 'saturation JSON req/s, gateway / Express').status).toBe('SKIPPED');
    expect(line(lines, 'proxy CPU µs/request JSON').status).toBe('PASS');
  });

  it('holds the routed path to the plain path’s ratios, and to ≥ 90 % of its throughput in the same run', () => {
    const lines = evaluateTargets(fullInput());
    expect(line(lines, 'saturation JSON req/s, routed gateway / gateway')).toMatchObject({
      status: 'PASS',
      value: '95.0 %',
      target: '≥ 90.0 %',
    });
    expect(line(lines, 'saturation stream req/s, routed gateway / gateway')).toMatchObject({ status: 'PASS', value: '95.0 %' });
    expect(line(lines, 'saturation JSON req/s, routed gateway / Express + hpm')).toMatchObject({ status: 'PASS', value: '105.6 %' });
    expect(line(lines, 'proxy CPU µs/request JSON, routed gateway / bare floor')).toMatchObject({ status: 'PASS', value: '×2.10' });
    expect(line(lines, 'added p50 JSON, routed gateway − bare floor')).toMatchObject({ status: 'PASS', value: '+0.12 ms' });

    // Routing that costs more than 10 % of the throughput fails, though the routed path still beats Express.
    const costly = goodRun({}, { jsonRps: 880, streamRps: 760 });
    const failing = evaluateTargets(fullInput({ runs: [costly, costly, costly] }));
    expect(line(failing, 'saturation JSON req/s, routed gateway / gateway')).toMatchObject({ status: 'FAIL', value: '88.0 %' });
    expect(line(failing, 'saturation JSON req/s, routed gateway / Express')).toMatchObject({ status: 'FAIL', value: '97.8 %' });
    expect(line(failing, 'saturation JSON req/s, gateway / Express')).toMatchObject({ status: 'PASS' });
    expect(checkExitCode(failing)).toBe(1);
  });

  it('skips the routed lines when BENCH_ONLY left the routed target out, judging the plain gateway as before', () => {
    const { routed: _routed, ...plain } = goodRun();
    const lines = evaluateTargets(fullInput({ runs: [plain] }));
    const routedLines = lines.filter((l) => l.name.includes('routed gateway'));
    expect(routedLines).toHaveLength(11);
    expect(routedLines.every((l) => l.status === 'SKIPPED' && l.detail === 'routed not measured (BENCH_ONLY)')).toBe(true);
    expect(line(lines, 'saturation JSON req/s, gateway / Express').status).toBe('PASS');
    expect(checkExitCode(lines)).toBe(0);
  });

  it('is all SKIPPED and exit 0 when nothing ran, never PASS', () => {
    const lines = evaluateTargets({ runs: [], skipped: { compare: 'x', tracing: 'x', otel: 'x', limits: 'x', soak: 'x' } });
    expect(lines.some((l) => l.status === 'PASS')).toBe(false);
    expect(checkExitCode(lines)).toBe(0);
  });
});

describe('parseSkip', () => {
  it('reads a comma list of parts', () => {
    expect(parseSkip(undefined)).toEqual([]);
    expect(parseSkip('soak')).toEqual(['soak']);
    expect(parseSkip(' soak, tracing ,,soak')).toEqual(['soak', 'tracing']);
  });

  it('rejects an unknown part', () => {
    expect(() => parseSkip('soak,sok')).toThrow(/unknown part sok/);
  });
});

describe('soak reference', () => {
  it('is minute 2, or the middle of a soak shorter than 4 minutes, on a sample boundary', () => {
    expect(soakReferenceSeconds(600, 10)).toBe(120);
    expect(soakReferenceSeconds(240, 10)).toBe(120);
    expect(soakReferenceSeconds(200, 10)).toBe(100);
    expect(soakReferenceSeconds(30, 10)).toBe(10);
    expect(soakReferenceSeconds(20, 10)).toBe(10);
  });

  it('takes the sample nearest the reference time', () => {
    const samples = [0, 10.1, 20.2, 119.6, 130].map((seconds) => ({ seconds }));
    expect(sampleNearest(samples, 120)?.seconds).toBe(119.6);
    expect(sampleNearest([], 120)).toBeUndefined();
  });
});
