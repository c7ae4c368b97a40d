// A Jest reporter that ends a run without NAVPLANE_TEST_POSTGRES_URL with one plain line saying the Postgres suites
// were skipped, as the last line of the output, where a reader looks (the per-worker notice scrolls away with the
// test output, and Jest prints its summary after every reporter's onRunComplete: hence the exit hook).
class PostgresSkipReporter {
  onRunComplete() {
    if (process.env.NAVPLANE_TEST_POSTGRES_URL) return;
    process.once('exit', () => {
      process.stderr.write(
        '[navplane] Postgres suites were SKIPPED: this run covered SQLite only. Set NAVPLANE_TEST_POSTGRES_URL ' +
          '(e.g. postgres://postgres@127.0.0.1:5432/postgres) to run them; CI requires it.\n',
      );
    });
  }
}
module.exports = PostgresSkipReporter;
