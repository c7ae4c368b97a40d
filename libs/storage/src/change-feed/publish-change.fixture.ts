// Child-process helper for change-feed.int.spec.ts: publishes one change to NAVPLANE_DATABASE_URL from a separate
// OS process, stamping the send time so the parent can measure delivery.
import { openDatabase } from '../database/open-database';
import { createChangeFeed } from './change-feed';

async function main(): Promise<void> {
  const database = await openDatabase({ url: process.env['NAVPLANE_DATABASE_URL'] ?? '', poolSize: 1 });
  const feed = createChangeFeed(database, { pollIntervalMs: 250 }); // publishes only: the poll interval is unused
  try {
    await feed.publish(process.env['NAVPLANE_TEST_TOPIC'] ?? 'test', { from: 'child', pid: process.pid, sentAt: Date.now() });
  } finally {
    await feed.close();
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
