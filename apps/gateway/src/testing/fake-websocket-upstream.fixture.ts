import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer, type RawData } from 'ws';

/** One WebSocket handshake the fake upstream received. */
export interface SeenHandshake {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly protocols: readonly string[];
}

/** A message the upstream received on a connection, as sent. */
export interface SeenMessage {
  readonly data: Buffer;
  readonly isBinary: boolean;
}

/** A connection the fake upstream accepted. */
export interface FakeConnection {
  readonly handshake: SeenHandshake;
  readonly socket: WebSocket;
  readonly messages: SeenMessage[];
  /** The close code and reason the upstream got (undefined while open). */
  closed?: { code: number; reason: string };
}

/** Usage the fake reports: Realtime's shape (input_token_details) or the Responses API's (input_tokens_details). */
export const REALTIME_USAGE = {
  total_tokens: 253,
  input_tokens: 132,
  output_tokens: 121,
  input_token_details: { text_tokens: 119, audio_tokens: 13, image_tokens: 0, cached_tokens: 64 },
  output_token_details: { text_tokens: 30, audio_tokens: 91 },
};
export const RESPONSES_USAGE = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 1024 },
  output_tokens: 35,
  output_tokens_details: { reasoning_tokens: 12 },
  total_tokens: 1235,
};
export const REALTIME_MODEL = 'gpt-realtime-2025-08-28';
export const RESPONSES_MODEL = 'gpt-5-codex';

/** A fake OpenAI WebSocket upstream on 127.0.0.1 (plain HTTP requests go to `httpUpstream`, when given). */
export interface FakeWebSocketUpstream {
  readonly url: string;
  readonly connections: FakeConnection[];
  /** Upgrade requests received (refused ones too). */
  readonly handshakes: SeenHandshake[];
  /** Refuse the next upgrades with this status; the body and a header echo the Authorization received. */
  refuseWith(status: number | undefined): void;
  /** Resolves once `n` connections were accepted. */
  waitForConnections(n: number, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function send(socket: WebSocket, event: Record<string, unknown>): void {
  socket.send(JSON.stringify(event));
}

/** Realtime: a response's events, ending in `response.done` with usage. */
function realtimeResponse(socket: WebSocket, n: number): void {
  const id = `resp_rt_${n}`;
  send(socket, { event_id: `evt_${n}_1`, type: 'response.created', response: { id, object: 'realtime.response', status: 'in_progress' } });
  send(socket, {
    event_id: `evt_${n}_2`,
    type: 'response.output_audio.delta',
    response_id: id,
    delta: Buffer.alloc(64, n).toString('base64'),
  });
  send(socket, { event_id: `evt_${n}_3`, type: 'response.output_audio_transcript.delta', response_id: id, delta: 'Hello' });
  send(socket, {
    event_id: `evt_${n}_4`,
    type: 'response.done',
    response: { id, object: 'realtime.response', status: 'completed', output: [], usage: REALTIME_USAGE },
  });
}

/** Responses over WebSocket: the streamed events of one response, ending in `response.completed` with usage. */
function responsesStream(socket: WebSocket, n: number): void {
  const id = `resp_ws_${n}`;
  const base = { id, object: 'response', model: RESPONSES_MODEL };
  send(socket, { type: 'response.created', sequence_number: 0, response: { ...base, status: 'in_progress', usage: null } });
  send(socket, {
    type: 'response.output_text.delta',
    sequence_number: 1,
    item_id: 'msg_1',
    output_index: 0,
    content_index: 0,
    delta: 'Done',
  });
  send(socket, {
    type: 'response.completed',
    sequence_number: 2,
    response: {
      ...base,
      status: 'completed',
      output: [{ type: 'message', id: 'msg_1', role: 'assistant', content: [{ type: 'output_text', text: 'Done' }] }],
      usage: RESPONSES_USAGE,
    },
  });
}

/**
 * Starts the fake. On `/v1/realtime` it greets with `session.created` (model from `?model=`) and answers
 * `response.create` with a Realtime response; on `/v1/responses` it answers `response.create` with a streamed
 * response. `{"type":"test.close","code":…,"reason":…}` makes it close with that code; every other message is
 * echoed back unchanged (text as text, binary as binary).
 */
export async function startFakeWebSocketUpstream(options: { httpUpstream?: string } = {}): Promise<FakeWebSocketUpstream> {
  const connections: FakeConnection[] = [];
  const handshakes: SeenHandshake[] = [];
  let refuseStatus: number | undefined;
  const waiters = new Set<() => void>();
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('realtime') ? 'realtime' : false),
  });

  const server: Server = createServer((req, res) => {
    if (options.httpUpstream === undefined) {
      res.writeHead(404).end();
      return;
    }
    const target = new URL(req.url ?? '/', options.httpUpstream);
    const forwarded = request(target, { method: req.method, headers: req.headers }, (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
    });
    req.pipe(forwarded);
  });
  server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const handshake: SeenHandshake = {
      path: `${url.pathname}${url.search}`,
      headers: req.headers,
      protocols: (req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    };
    handshakes.push(handshake);
    if (refuseStatus !== undefined) {
      const body = JSON.stringify({
        error: { message: `Incorrect API key provided: ${req.headers.authorization ?? ''}`, code: 'invalid_api_key' },
      });
      socket.end(
        `HTTP/1.1 ${refuseStatus} Refused\r\nContent-Type: application/json\r\nX-Echo: ${req.headers.authorization ?? ''}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection: FakeConnection = { handshake, socket: ws, messages: [] };
      connections.push(connection);
      for (const wake of waiters) wake();
      let responses = 0;
      if (url.pathname === '/v1/realtime') {
        send(ws, {
          event_id: 'evt_session',
          type: 'session.created',
          session: { id: 'sess_1', object: 'realtime.session', model: url.searchParams.get('model') ?? REALTIME_MODEL },
        });
      }
      ws.on('message', (data, isBinary) => {
        const bytes = toBuffer(data);
        connection.messages.push({ data: bytes, isBinary });
        if (!isBinary) {
          const event = JSON.parse(bytes.toString('utf8')) as { type?: string; code?: number; reason?: string };
          if (event.type === 'response.create') {
            responses += 1;
            if (url.pathname === '/v1/realtime') realtimeResponse(ws, responses);
            else responsesStream(ws, responses);
            return;
          }
          if (event.type === 'test.close') {
            ws.close(event.code, event.reason);
            return;
          }
        }
        ws.send(bytes, { binary: isBinary });
      });
      ws.on('close', (code, reason) => {
        connection.closed = { code, reason: reason.toString('utf8') };
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    handshakes,
    refuseWith(status) {
      refuseStatus = status;
    },
    async waitForConnections(n, timeoutMs = 2000) {
      if (connections.length >= n) return;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${n} upstream connections, saw ${connections.length}`));
        }, timeoutMs);
        const check = () => {
          if (connections.length < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    reset() {
      connections.length = 0;
      handshakes.length = 0;
      refuseStatus = undefined;
    },
    async close() {
      for (const connection of connections) connection.socket.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
