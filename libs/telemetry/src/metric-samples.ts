/** One sample of a metric in the Prometheus text exposition format: its labels and its value. */
export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;

function unescapeLabelValue(raw: string): string {
  return raw.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
}

/**
 * The samples of metric `name` in a `/metrics` body (Prometheus text format): one per series, with its labels
 * (values unescaped) and its value. Comments, other metrics and lines that do not parse are skipped; a metric
 * that is absent gives an empty list.
 */
export function readMetricSamples(text: string, name: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const close = rest.indexOf('}');
      if (close < 0) continue;
      const body = rest.slice(1, close);
      LABEL.lastIndex = 0;
      let match: RegExpExecArray | null;
      while (LABEL.lastIndex < body.length && (match = LABEL.exec(body)) !== null) {
        const [, key, raw] = match;
        if (key === undefined || raw === undefined) break; // both groups take part in every match
        labels[key] = unescapeLabelValue(raw);
      }
      if (LABEL.lastIndex < body.trimEnd().length) continue; // a label list that does not parse
      rest = rest.slice(close + 1);
    } else if (!/^\s/.test(rest)) {
      continue; // another metric whose name starts with this one
    }
    const value = Number(rest.trim().split(/\s+/, 1)[0]);
    if (rest.trim() === '' || Number.isNaN(value)) continue;
    samples.push({ labels, value });
  }
  return samples;
}
