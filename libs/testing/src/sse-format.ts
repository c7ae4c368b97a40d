import type { SseEvent } from './fake-upstream.types';

/** Encodes one event as SSE text: `event:`/`id:` lines, one `data:` line per payload line, then a blank line. */
export function formatSseEvent(event: SseEvent): string {
  if ('raw' in event) return event.raw;
  let out = '';
  if (event.event !== undefined) out += `event: ${event.event}\n`;
  if (event.id !== undefined) out += `id: ${event.id}\n`;
  const data = typeof event.data === 'string' ? event.data : JSON.stringify(event.data);
  if (data.includes('\n')) {
    for (const line of data.split('\n')) out += `data: ${line}\n`;
  } else {
    out += `data: ${data}\n`;
  }
  return `${out}\n`;
}

/** Encodes a whole event list, as a body a test can compare byte for byte. */
export function formatSseEvents(events: readonly SseEvent[]): string {
  return events.map(formatSseEvent).join('');
}
