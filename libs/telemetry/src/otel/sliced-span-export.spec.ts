import { expect } from '@jest/globals';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { slicedSpanExporter } from './sliced-span-export';

const spans = (count: number): ReadableSpan[] => Array.from({ length: count }, (_, i) => ({ name: `s${i}` }) as unknown as ReadableSpan);

/** An exporter that records what it was handed, in which loop turn, and answers `results` in order (success after). */
function recordingExporter(results: ExportResult[] = []) {
  const calls: Array<{ names: string[]; turn: number }> = [];
  let turn = 0;
  const tick = () => {
    turn += 1;
    if (ticking) setImmediate(tick);
  };
  let ticking = true;
  setImmediate(tick);
  const exporter: SpanExporter = {
    export(batch, done) {
      calls.push({ names: batch.map((span) => span.name), turn });
      done(results.shift() ?? { code: ExportResultCode.SUCCESS });
    },
    shutdown: () => Promise.resolve(),
  };
  return { exporter, calls, stop: () => (ticking = false) };
}

const exportAll = (exporter: SpanExporter, batch: ReadableSpan[]) =>
  new Promise<ExportResult[]>((resolve) => {
    const results: ExportResult[] = [];
    exporter.export(batch, (result) => {
      results.push(result);
      setTimeout(() => resolve(results), 20);
    });
  });

describe('slicedSpanExporter', () => {
  it('hands a batch on in slices, each in a loop turn of its own, none in the caller’s', async () => {
    const inner = recordingExporter();
    const sliced = slicedSpanExporter(inner.exporter, 64);
    const exported = exportAll(sliced, spans(200));
    expect(inner.calls).toEqual([]); // nothing serialised inside the span.end() that filled the batch
    const results = await exported;
    inner.stop();
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(inner.calls.map((call) => call.names.length)).toEqual([64, 64, 64, 8]);
    expect(inner.calls.flatMap((call) => call.names)).toEqual(spans(200).map((span) => span.name));
    const turns = inner.calls.map((call) => call.turn);
    expect(new Set(turns).size).toBe(4);
  });

  it('reports the first failure once, after every slice was tried', async () => {
    const failure = { code: ExportResultCode.FAILED, error: new Error('collector down') };
    const later = { code: ExportResultCode.FAILED, error: new Error('again') };
    const inner = recordingExporter([{ code: ExportResultCode.SUCCESS }, failure, later]);
    const results = await exportAll(slicedSpanExporter(inner.exporter, 10), spans(35));
    inner.stop();
    expect(results).toEqual([failure]);
    expect(inner.calls.map((call) => call.names.length)).toEqual([10, 10, 10, 5]);
  });

  it('answers an empty batch at once', async () => {
    const inner = recordingExporter();
    const results = await exportAll(slicedSpanExporter(inner.exporter), []);
    inner.stop();
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
  });
});
