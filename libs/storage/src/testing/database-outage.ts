import { createServer, connect, type Server, type Socket } from 'node:net';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../database/open-database';
import type { TestDatabase } from './test-database';

/** A TCP proxy on 127.0.0.1 in front of one server, which a test can cut (an outage) and restore. */
export interface TcpProxy {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Stops listening (new connections are refused) and resets every proxied connection. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy from 127.0.0.1:<any port> to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const socket of sockets) socket.resetAndDestroy();
    });
  const port = await listen(0);
  return {
    port,
    cut: stop,
    async restore() {
      if (!server.listening) await listen(port);
    },
    close: stop,
  };
}

/** A database outage a test can start and end: what a process using `url` sees of a database that went away. */
export interface DatabaseOutage {
  /** The URL the process under test must use (Postgres: through a proxy; SQLite: the file itself). */
  readonly url: string;
  /**
   * Postgres: the proxy is cut — new connections refused, open ones reset (the server or the network is gone).
   * SQLite: another connection holds an exclusive write transaction on the file (another process locked it): writes
   * fail with SQLITE_BUSY after busy_timeout; reads still work (WAL).
   */
  begin(): Promise<void>;
  /** Ends the outage: the proxy listens again / the lock is released. */
  end(): Promise<void>;
  /** Ends any outage and frees what it holds (not the test database). */
  close(): Promise<void>;
}

/** Prepares an outage of `test` (a TestDatabase); start the process under test on `outage.url`. */
export async function prepareDatabaseOutage(test: TestDatabase): Promise<DatabaseOutage> {
  if (test.database.location.dialect === 'sqlite') {
    let holder: Database | undefined;
    const end = async () => {
      const held = holder;
      holder = undefined;
      if (held === undefined) return;
      await sql`rollback`.execute(held.db);
      await held.close();
    };
    return {
      url: test.url,
      async begin() {
        if (holder !== undefined) return;
        holder = await openDatabase({ url: test.url, poolSize: 1 });
        await sql`begin exclusive`.execute(holder.db);
      },
      end,
      close: end,
    };
  }
  const url = new URL(test.url);
  const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return {
    url: url.toString(),
    begin: () => proxy.cut(),
    end: () => proxy.restore(),
    close: () => proxy.close(),
  };
}
