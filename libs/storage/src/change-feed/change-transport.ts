import type { JsonObject } from '../schema/json';

/** One change as it travels between processes. */
export interface ChangeMessage {
  topic: string;
  payload: JsonObject;
  /** The publishing feed's id, so a feed can skip its own messages when they come back. */
  origin: string;
  /** When it was published (ms since the epoch, the publisher's clock): receivers measure the feed's lag. */
  sentAt?: number;
}

/** What a transport calls when something arrives or when messages may have been missed. */
export interface ChangeSink {
  /** A message from any feed (this one's included). */
  deliver(message: ChangeMessage): void;
  /** Messages may have been lost (listener reconnected, poller fell behind pruning). */
  resync(reason: 'reconnected' | 'gap'): void;
  /** A transport problem that did not stop the feed. */
  error(error: Error): void;
}

/** How a change feed reaches other processes (one implementation per `capabilities.changeNotification`). */
export interface ChangeTransport {
  /** Begins receiving; resolves once messages published from now on will arrive. */
  start(sink: ChangeSink): Promise<void>;
  /** Sends a message to every feed on the database. */
  send(message: ChangeMessage): Promise<void>;
  /** Stops receiving and releases connections and timers. */
  close(): Promise<void>;
}
