import { DEFAULT_MAX_EVENT_BYTES, SseParser, type SseEvent } from '../sse/sse-parser';
import type { AssembledResponse, ResponseAssembler, ResponseAssemblerOptions, StreamEventAssembler } from './assembler.types';
import { AssemblyContext, DEFAULT_ASSEMBLED_MAX_CHARS } from './assembly-context';

/**
 * Makes an assembler of one SSE response fed with parsed events (see `StreamEventAssembler`): it builds the
 * provider's non-streamed response shape (`ProviderAdapter.createStreamAssembly`) from the events, every content
 * string passed through its own `createTextFilter()` instance. Memory stays within about `maxChars` of assembled
 * text. Never throws on stream content: broken or oversized events are counted in `malformedEvents` and skipped.
 */
export function createStreamEventAssembler(options: ResponseAssemblerOptions): StreamEventAssembler {
  const maxChars =
    options.maxChars !== undefined && Number.isFinite(options.maxChars) && options.maxChars >= 0
      ? Math.floor(options.maxChars)
      : DEFAULT_ASSEMBLED_MAX_CHARS;
  const ctx = new AssemblyContext(maxChars, options.createTextFilter);
  const assembly = options.adapter.createStreamAssembly(ctx);
  let skippedEvent = false;
  let result: AssembledResponse | undefined;
  return {
    onEvent(event: SseEvent): void {
      if (result) return;
      try {
        assembly.onEvent(event);
      } catch {
        // Defensive: an event of a shape no branch foresaw must not break the response it observes.
        ctx.malformed++;
      }
    },
    onOversizedEvent(event: SseEvent | undefined): void {
      if (result) return;
      ctx.malformed++;
      skippedEvent = true;
      if (event) assembly.onOversizedEvent(event.type);
    },
    end(endOptions) {
      if (result) return result;
      if (endOptions?.dropHeldText === true) ctx.dropHeldText();
      const body = assembly.finish();
      ctx.endAll();
      const complete = assembly.complete;
      result = {
        body,
        truncated: ctx.truncated || skippedEvent || !complete,
        complete,
        malformedEvents: ctx.malformed,
      };
      return result;
    },
  };
}

/**
 * Makes an assembler for one SSE response that parses copies of the chunks itself with the shared bounded
 * `SseParser` (for a stream no tap parses; the gateway feeds the tap's events to `createStreamEventAssembler`
 * instead). Memory stays within about `maxChars` of assembled text plus one SSE event (`maxEventBytes`).
 */
export function createResponseAssembler(options: ResponseAssemblerOptions): ResponseAssembler {
  const assembler = createStreamEventAssembler(options);
  let ended = false;
  const parser = new SseParser((event, _end, oversized) => {
    if (oversized) assembler.onOversizedEvent(event);
    else if (event) assembler.onEvent(event);
  }, options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES);
  return {
    push(chunk: Buffer): void {
      if (!ended) parser.push(chunk);
    },
    end(endOptions) {
      ended = true;
      return assembler.end(endOptions);
    },
  };
}
