// A redaction worker for the pool's specs: the real redaction.worker behind the instrumentation of
// instrumented-hooks.fixture.ts. Imports run in order, so the instrumentation's message handler is registered
// first and sees every job as it starts; the real worker's handler runs second.
import './instrumented-hooks.fixture';
import './redaction.worker';
