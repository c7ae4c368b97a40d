import type { Usage } from './usage';

/**
 * What one server→client WebSocket message said that the gateway records: the session's model (Realtime
 * `session.created`/`session.updated`), the start of a response, or its end with usage and model (Realtime
 * `response.done`; Responses over WebSocket `response.completed`, `response.incomplete`, `response.failed`).
 */
export type WebSocketServerEvent =
  | { readonly kind: 'session'; readonly model?: string }
  | { readonly kind: 'response_started' }
  | {
      readonly kind: 'response_ended';
      readonly model?: string;
      readonly usage?: Usage;
      /** The response's `status` (`completed`, `cancelled`, `failed`, `incomplete`). */
      readonly status?: string;
    };

/**
 * A provider's WebSocket endpoints (`ProviderAdapter.webSocket`): which paths take an upgrade, where browsers put
 * their key, and how its server messages are read. Pure functions over one message; the gateway owns the sockets.
 */
export interface WebSocketSupport {
  /** True when `GET <pathSuffix>` with `Upgrade: websocket` is proxied to the provider as a WebSocket. */
  isWebSocketPath(pathSuffix: string): boolean;
  /**
   * The subprotocol prefix browsers put their key behind (`openai-insecure-api-key.`), since they cannot set
   * headers on a WebSocket; undefined when the provider has none.
   */
  readonly keyProtocolPrefix?: string;
  /** The model a connection asks for in its URL (Realtime `?model=`), else undefined. */
  modelFromQuery(rawQuery: string): string | undefined;
  /** Reads one whole text message (the caller bounds its size); undefined for messages that record nothing. */
  readServerMessage(data: Buffer): WebSocketServerEvent | undefined;
  /**
   * Reads a text message too large to parse from its first bytes (`head`, where the event type is) and last
   * (`tail`, where a terminal event's usage is), as the SSE tap does with oversized events.
   */
  readOversizedServerMessage(head: Buffer, tail: Buffer): WebSocketServerEvent | undefined;
}
