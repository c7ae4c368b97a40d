import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { builtInResponse, detectProvider } from './default-routes';
import type { FakeUpstream, FakeUpstreamOptions, RecordedRequest, ScriptedResponder, ScriptedResponse } from './fake-upstream.types';
import { Exchange, writeScripted } from './scripted-response.writer';

function parseJson(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toRecord(req: IncomingMessage, body: Buffer, receivedAt: number): RecordedRequest {
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  const path = mark === -1 ? url : url.slice(0, mark);
  // The body is decoded and parsed when first asked for: a benchmark, or a test sending megabytes, pays nothing
  // for a request nobody looks into.
  let text: string | undefined;
  let json: { value: unknown } | undefined;
  return {
    method: req.method ?? 'GET',
    path,
    query: mark === -1 ? '' : url.slice(mark + 1),
    url,
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    body,
    get text() {
      text ??= body.toString('utf8');
      return text;
    },
    get json() {
      json ??= { value: parseJson(this.text) };
      return json.value;
    },
    receivedAt,
    provider: detectProvider(path, req.headers),
    clientAborted: false,
    finished: false,
  };
}

/** The request body: its only chunk as is, else the chunks joined. */
function joinChunks(chunks: Buffer[]): Buffer {
  const [first] = chunks;
  return chunks.length === 1 && first !== undefined ? first : Buffer.concat(chunks);
}

function listen(server: ReturnType<typeof createServer>, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Starts a fake OpenAI + Anthropic + Gemini (native API) upstream on `host:port` (default 127.0.0.1, any free port).
 * Each request gets the next queued script, else the custom default, else the built-in routes.
 * Nothing is logged per request; recording is bounded (`maxRecorded`, default 1000) or off (`record: false`).
 */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const host = options.host ?? '127.0.0.1';
  const record = options.record ?? true;
  const maxRecorded = Math.max(1, options.maxRecorded ?? 1000);
  const acceptKeys = options.acceptKeys ? new Set(options.acceptKeys) : undefined;
  const requests: RecordedRequest[] = [];
  const queue: Array<ScriptedResponse | ScriptedResponder> = [];
  const sockets = new Set<Socket>();
  const exchanges = new Set<Exchange>();
  const waiters = new Set<() => void>();
  let customDefault: ScriptedResponder | undefined;
  let count = 0;
  let closing: Promise<void> | undefined;

  const notify = (): void => {
    for (const check of waiters) check();
  };

  function choose(request: RecordedRequest): ScriptedResponse {
    const next = queue.shift();
    const scripted = typeof next === 'function' ? next(request) : next;
    return scripted ?? customDefault?.(request) ?? builtInResponse(request, acceptKeys);
  }

  function dispatch(req: IncomingMessage, res: ServerResponse, body: Buffer, receivedAt: number): void {
    const request = toRecord(req, body, receivedAt);
    count += 1;
    if (record) {
      if (requests.length >= maxRecorded) requests.shift();
      requests.push(request);
    }
    const ex = new Exchange(res, request);
    exchanges.add(ex);
    res.on('finish', () => {
      request.finished = true;
    });
    res.on('close', () => {
      exchanges.delete(ex);
      if (!res.writableFinished && !ex.serverEnded && closing === undefined) request.clientAborted = true;
      ex.markClosed();
      notify();
    });
    let scripted: ScriptedResponse;
    try {
      scripted = choose(request);
    } catch (error) {
      // A throwing responder is a bug in the test: answer 500 so it shows instead of hanging.
      scripted = {
        kind: 'error',
        status: 500,
        message: `fake upstream responder threw: ${String(error)}`,
      };
    }
    writeScripted(ex, scripted).catch(() => res.destroy());
    notify();
  }

  const server = createServer({ requestTimeout: 0, noDelay: true }, (req, res) => {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => dispatch(req, res, joinChunks(chunks), receivedAt));
    // A client that aborts mid-body leaves nothing to record or answer.
    req.on('error', () => undefined);
  });
  // Outlive client pools (undici keeps idle sockets ~4 s) so a reused socket is never closed under a request.
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;

  const waitUntil = (predicate: () => boolean, timeoutMs = 2000): Promise<void> =>
    new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        waiters.delete(check);
        if (error === undefined) resolve();
        else reject(error);
      };
      const check = (): void => {
        try {
          if (predicate()) finish();
        } catch (error) {
          finish(error instanceof Error ? error : new Error(`predicate threw: ${String(error)}`));
        }
      };
      const timer = setTimeout(() => finish(new Error(`condition not met within ${timeoutMs} ms`)), timeoutMs);
      waiters.add(check);
      check();
    });

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    requests,
    get requestCount() {
      return count;
    },
    get pending() {
      return queue.length;
    },
    enqueue(...responses) {
      queue.push(...responses);
    },
    setDefault(handler) {
      customDefault = handler;
    },
    reset() {
      requests.length = 0;
      queue.length = 0;
      customDefault = undefined;
      count = 0;
    },
    lastRequest() {
      return requests[requests.length - 1];
    },
    waitForRequests(n, timeoutMs = 2000) {
      return waitUntil(() => count >= n, timeoutMs).catch(() => {
        throw new Error(`expected ${n} request(s) within ${timeoutMs} ms, got ${count}`);
      });
    },
    waitUntil,
    close() {
      if (closing) return closing;
      closing = new Promise((resolve) => server.close(() => resolve()));
      for (const ex of exchanges) ex.markClosed();
      for (const socket of sockets) socket.destroy();
      return closing;
    },
  };
}
