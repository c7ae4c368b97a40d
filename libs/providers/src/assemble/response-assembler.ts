import { DEFAULT_MAX_EVENT_BYTES, SseParser } from '../sse/sse-parser';
import { AnthropicMessagesAssembly } from './anthropic-messages.assembly';
import type { AssembledResponse, ResponseAssembler, ResponseAssemblerEndOptions, ResponseAssemblerOptions } from './assembler.types';
import { AssemblyContext, DEFAULT_ASSEMBLED_MAX_CHARS } from './assembly-context';
import { OpenAIAssembly } from './openai.assembly';
import type { StreamAssembly } from './stream-assembly';

/**
 * Makes an assembler for one SSE response: it parses copies of the chunks with the shared bounded
 * `SseParser` and builds the provider's non-streamed response shape from the events, every content
 * string passed through its own `createTextFilter()` instance. Memory stays within about `maxChars`
 * of assembled text plus one SSE event (`maxEventBytes`). Never throws on stream content: broken or
 * oversized events are counted in `malformedEvents` and skipped.
 */
export function createResponseAssembler(options: ResponseAssemblerOptions): ResponseAssembler {
  const maxChars =
    options.maxChars !== undefined && Number.isFinite(options.maxChars) && options.maxChars >= 0
      ? Math.floor(options.maxChars)
      : DEFAULT_ASSEMBLED_MAX_CHARS;
  const ctx = new AssemblyContext(maxChars, options.createTextFilter);
  const assembly: StreamAssembly = options.provider === 'anthropic' ? new AnthropicMessagesAssembly(ctx) : new OpenAIAssembly(ctx);
  let skippedEvent = false;
  const parser = new SseParser((event, _end, oversized) => {
    if (oversized) {
      ctx.malformed++;
      skippedEvent = true;
      if (event) assembly.onOversizedEvent(event.type);
    } else if (event) {
      try {
        assembly.onEvent(event);
      } catch {
        // Defensive: an event of a shape no branch foresaw must not break the response it observes.
        ctx.malformed++;
      }
    }
  }, options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES);
  let result: AssembledResponse | undefined;
  return {
    push(chunk: Buffer): void {
      if (!result) parser.push(chunk);
    },
    end(endOptions?: ResponseAssemblerEndOptions): AssembledResponse {
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
