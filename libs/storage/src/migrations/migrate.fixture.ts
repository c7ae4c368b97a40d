// Child-process helper for migrate.int.spec.ts: migrates NAVPLANE_DATABASE_URL and prints what it applied.
import { openDatabase } from '../database/open-database';
import { migrateToLatest } from './migrate';

async function main(): Promise<void> {
  const database = await openDatabase({ url: process.env['NAVPLANE_DATABASE_URL'] ?? '', poolSize: 1 });
  try {
    process.stdout.write(JSON.stringify(await migrateToLatest(database)));
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
