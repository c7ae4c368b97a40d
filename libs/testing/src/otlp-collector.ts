import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

// A fake OpenTelemetry collector on 127.0.0.1: it accepts OTLP/HTTP exports of spans (`/v1/traces`) and metrics
// (`/v1/metrics`) in both encodings and decodes them — JSON as OTLP/JSON, protobuf with the wire-format reader below
// over the OTLP message fields the tests read (opentelemetry-proto: trace/v1, metrics/v1, common/v1) — into one plain
// shape, and keeps every raw body so a test can search all exported bytes (the canary checks).

/** An attribute value as decoded (int64 values as numbers). */
export type OtlpValue = string | number | boolean | OtlpValue[] | undefined;

/** One exported span. */
export interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly traceState: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, OtlpValue>>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  readonly statusCode: number;
  readonly resource: Readonly<Record<string, OtlpValue>>;
}

/** One data point of an exported histogram. */
export interface OtlpHistogramPoint {
  readonly attributes: Readonly<Record<string, OtlpValue>>;
  readonly count: number;
  readonly sum: number;
}

/** One exported metric (histograms carry their points; other kinds none here). */
export interface OtlpMetric {
  readonly name: string;
  readonly unit: string;
  readonly points: readonly OtlpHistogramPoint[];
}

/** One received export request, raw. */
export interface OtlpExport {
  readonly path: string;
  readonly contentType: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** A running fake collector. */
export interface OtlpCollector {
  /** `http://127.0.0.1:<port>`: the OTEL_EXPORTER_OTLP_ENDPOINT to give. */
  readonly url: string;
  /** Every export received, in order. */
  readonly exports: readonly OtlpExport[];
  /** Every span received so far, decoded. */
  spans(): OtlpSpan[];
  /** Every metric received so far, decoded (one entry per metric per export). */
  metrics(): OtlpMetric[];
  /** Every raw export body, concatenated as text (for the absence of secrets). */
  rawText(): string;
  /** Resolves when `predicate` holds over the spans (polled), or rejects after `timeoutMs`. */
  waitForSpans(predicate: (spans: OtlpSpan[]) => boolean, timeoutMs?: number): Promise<OtlpSpan[]>;
  /** Makes every later export answer `status` (e.g. 503), or 200 again with `undefined`. */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

// ---- protobuf wire format ------------------------------------------------------------------------------------------

type Field = { readonly no: number; readonly wire: number; readonly value: bigint | Buffer };

/** Reads a message's fields (varint, fixed64, length-delimited, fixed32), in order. */
function fields(buffer: Buffer): Field[] {
  const out: Field[] = [];
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[offset++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, value: varint() });
    else if (wire === 1) {
      out.push({ no, wire, value: buffer.subarray(offset, offset + 8) });
      offset += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      out.push({ no, wire, value: buffer.subarray(offset, offset + length) });
      offset += length;
    } else if (wire === 5) {
      out.push({ no, wire, value: buffer.subarray(offset, offset + 4) });
      offset += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const bytesOf = (field: Field) => field.value as Buffer;
const str = (field: Field) => bytesOf(field).toString('utf8');
const num = (field: Field) => (field.wire === 0 ? Number(field.value) : Number(bytesOf(field).readBigUInt64LE(0)));
const all = (message: Field[], no: number) => message.filter((field) => field.no === no);
const first = (message: Field[], no: number) => message.find((field) => field.no === no);

function protoAnyValue(buffer: Buffer): OtlpValue {
  const field = fields(buffer)[0];
  if (field === undefined) return undefined;
  switch (field.no) {
    case 1:
      return str(field);
    case 2:
      return (field.value as bigint) !== 0n;
    case 3:
      return Number(BigInt.asIntN(64, field.value as bigint));
    case 4:
      return bytesOf(field).readDoubleLE(0);
    case 5:
      return all(fields(bytesOf(field)), 1).map((item) => protoAnyValue(bytesOf(item)));
    default:
      return undefined;
  }
}

function protoAttributes(message: Field[], no: number): Record<string, OtlpValue> {
  const out: Record<string, OtlpValue> = {};
  for (const kv of all(message, no)) {
    const inner = fields(bytesOf(kv));
    const key = first(inner, 1);
    const value = first(inner, 2);
    if (key !== undefined) out[str(key)] = value === undefined ? undefined : protoAnyValue(bytesOf(value));
  }
  return out;
}

function protoResource(message: Field[]): Record<string, OtlpValue> {
  const resource = first(message, 1);
  return resource === undefined ? {} : protoAttributes(fields(bytesOf(resource)), 1);
}

function decodeProtoSpans(body: Buffer): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  for (const resourceSpans of all(fields(body), 1)) {
    const rs = fields(bytesOf(resourceSpans));
    const resource = protoResource(rs);
    for (const scopeSpans of all(rs, 2)) {
      for (const spanField of all(fields(bytesOf(scopeSpans)), 2)) {
        const span = fields(bytesOf(spanField));
        const hex = (no: number) => {
          const field = first(span, no);
          return field === undefined ? '' : bytesOf(field).toString('hex');
        };
        const status = first(span, 15);
        const code = status === undefined ? undefined : first(fields(bytesOf(status)), 3);
        const kind = first(span, 6);
        const name = first(span, 5);
        const traceState = first(span, 3);
        spans.push({
          traceId: hex(1),
          spanId: hex(2),
          parentSpanId: hex(4),
          traceState: traceState === undefined ? '' : str(traceState),
          name: name === undefined ? '' : str(name),
          kind: kind === undefined ? 0 : num(kind),
          attributes: protoAttributes(span, 9),
          statusCode: code === undefined ? 0 : num(code),
          resource,
        });
      }
    }
  }
  return spans;
}

function decodeProtoMetrics(body: Buffer): OtlpMetric[] {
  const metrics: OtlpMetric[] = [];
  for (const resourceMetrics of all(fields(body), 1)) {
    for (const scopeMetrics of all(fields(bytesOf(resourceMetrics)), 2)) {
      for (const metricField of all(fields(bytesOf(scopeMetrics)), 2)) {
        const metric = fields(bytesOf(metricField));
        const name = first(metric, 1);
        const unit = first(metric, 3);
        const histogram = first(metric, 9);
        const points =
          histogram === undefined
            ? []
            : all(fields(bytesOf(histogram)), 1).map((pointField) => {
                const point = fields(bytesOf(pointField));
                const count = first(point, 4);
                const sum = first(point, 5);
                return {
                  attributes: protoAttributes(point, 9),
                  count: count === undefined ? 0 : num(count),
                  sum: sum === undefined ? 0 : bytesOf(sum).readDoubleLE(0),
                };
              });
        metrics.push({ name: name === undefined ? '' : str(name), unit: unit === undefined ? '' : str(unit), points });
      }
    }
  }
  return metrics;
}

// ---- OTLP/JSON -----------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

function jsonAnyValue(value: Json | undefined): OtlpValue {
  if (value === undefined) return undefined;
  if ('stringValue' in value) return value['stringValue'] as string;
  if ('boolValue' in value) return value['boolValue'] as boolean;
  if ('intValue' in value) return Number(value['intValue']);
  if ('doubleValue' in value) return Number(value['doubleValue']);
  if ('arrayValue' in value) return list((value['arrayValue'] as Json)['values']).map((item) => jsonAnyValue(item));
  return undefined;
}

function jsonAttributes(values: unknown): Record<string, OtlpValue> {
  const out: Record<string, OtlpValue> = {};
  for (const kv of list(values)) out[kv['key'] as string] = jsonAnyValue(kv['value'] as Json | undefined);
  return out;
}

function decodeJsonSpans(body: Buffer): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  for (const rs of list((JSON.parse(body.toString('utf8')) as Json)['resourceSpans'])) {
    const resource = jsonAttributes((rs['resource'] as Json | undefined)?.['attributes']);
    for (const ss of list(rs['scopeSpans'])) {
      for (const span of list(ss['spans'])) {
        spans.push({
          traceId: text(span['traceId']),
          spanId: text(span['spanId']),
          parentSpanId: text(span['parentSpanId']),
          traceState: text(span['traceState']),
          name: text(span['name']),
          kind: Number(span['kind'] ?? 0),
          attributes: jsonAttributes(span['attributes']),
          statusCode: Number((span['status'] as Json | undefined)?.['code'] ?? 0),
          resource,
        });
      }
    }
  }
  return spans;
}

function decodeJsonMetrics(body: Buffer): OtlpMetric[] {
  const metrics: OtlpMetric[] = [];
  for (const rm of list((JSON.parse(body.toString('utf8')) as Json)['resourceMetrics'])) {
    for (const sm of list(rm['scopeMetrics'])) {
      for (const metric of list(sm['metrics'])) {
        const histogram = metric['histogram'] as Json | undefined;
        metrics.push({
          name: text(metric['name']),
          unit: text(metric['unit']),
          points: list(histogram?.['dataPoints']).map((point) => ({
            attributes: jsonAttributes(point['attributes']),
            count: Number(point['count'] ?? 0),
            sum: Number(point['sum'] ?? 0),
          })),
        });
      }
    }
  }
  return metrics;
}

// ---- the server ----------------------------------------------------------------------------------------------------

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const isJson = (contentType: string) => contentType.includes('json');

/** Starts a fake OTLP/HTTP collector on 127.0.0.1 (any free port). */
export async function startOtlpCollector(): Promise<OtlpCollector> {
  const exports: OtlpExport[] = [];
  let failure: number | undefined;
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const contentType = String(req.headers['content-type'] ?? '');
      exports.push({ path: req.url ?? '/', contentType, headers: { ...req.headers }, body });
      if (failure !== undefined) {
        res.writeHead(failure).end();
        return;
      }
      // An empty ExportServiceResponse: `{}` in JSON, no bytes in protobuf.
      if (isJson(contentType)) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const spans = () =>
    exports
      .filter((entry) => entry.path.endsWith('/v1/traces'))
      .flatMap((entry) => (isJson(entry.contentType) ? decodeJsonSpans(entry.body) : decodeProtoSpans(entry.body)));
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    spans,
    metrics: () =>
      exports
        .filter((entry) => entry.path.endsWith('/v1/metrics'))
        .flatMap((entry) => (isJson(entry.contentType) ? decodeJsonMetrics(entry.body) : decodeProtoMetrics(entry.body))),
    rawText: () => exports.map((entry) => entry.body.toString('latin1')).join('\n'),
    async waitForSpans(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = spans();
        if (predicate(found)) return found;
        if (Date.now() > deadline) throw new Error(`spans not exported in ${timeoutMs} ms; got ${found.map((s) => s.name).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    failWith(status) {
      failure = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
