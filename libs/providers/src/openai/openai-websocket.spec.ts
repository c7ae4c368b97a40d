import { OPENAI_WEBSOCKET } from './openai-websocket';

const message = (event: object) => Buffer.from(JSON.stringify(event));

describe('OPENAI_WEBSOCKET', () => {
  it('takes upgrades on the Realtime and Responses paths only', () => {
    expect(OPENAI_WEBSOCKET.isWebSocketPath('/v1/realtime')).toBe(true);
    expect(OPENAI_WEBSOCKET.isWebSocketPath('/v1/responses')).toBe(true);
    expect(OPENAI_WEBSOCKET.isWebSocketPath('/v1/chat/completions')).toBe(false);
    expect(OPENAI_WEBSOCKET.isWebSocketPath('/v1/responses/resp_1')).toBe(false);
  });

  it('reads the model a Realtime URL asks for', () => {
    expect(OPENAI_WEBSOCKET.modelFromQuery('model=gpt-realtime&x=1')).toBe('gpt-realtime');
    expect(OPENAI_WEBSOCKET.modelFromQuery('')).toBeUndefined();
    expect(OPENAI_WEBSOCKET.modelFromQuery('model=')).toBeUndefined();
  });

  it('reads usage of a Realtime response.done (input_token_details) and the session model', () => {
    expect(
      OPENAI_WEBSOCKET.readServerMessage(message({ event_id: 'e1', type: 'session.created', session: { model: 'gpt-realtime' } })),
    ).toEqual({ kind: 'session', model: 'gpt-realtime' });
    const done = OPENAI_WEBSOCKET.readServerMessage(
      message({
        event_id: 'e2',
        type: 'response.done',
        response: {
          id: 'r1',
          status: 'completed',
          usage: { total_tokens: 253, input_tokens: 132, output_tokens: 121, input_token_details: { cached_tokens: 64, audio_tokens: 13 } },
        },
      }),
    );
    expect(done).toEqual({
      kind: 'response_ended',
      status: 'completed',
      usage: { inputTokens: 132, outputTokens: 121, cacheReadTokens: 64, cacheWriteTokens: 0, totalTokens: 253 },
    });
  });

  it('reads model and usage of a Responses response.completed, and marks response.created', () => {
    expect(OPENAI_WEBSOCKET.readServerMessage(message({ type: 'response.created', response: { id: 'r1' } }))).toEqual({
      kind: 'response_started',
    });
    const completed = OPENAI_WEBSOCKET.readServerMessage(
      message({
        type: 'response.completed',
        response: {
          model: 'gpt-5-codex',
          status: 'completed',
          usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 4 }, output_tokens: 3 },
        },
      }),
    );
    expect(completed).toMatchObject({
      kind: 'response_ended',
      model: 'gpt-5-codex',
      usage: { inputTokens: 10, cacheReadTokens: 4, outputTokens: 3 },
    });
  });

  it('skips deltas without parsing, and a nested "type" does not pass for the event’s own', () => {
    expect(OPENAI_WEBSOCKET.readServerMessage(message({ type: 'response.output_audio.delta', delta: 'AAAA' }))).toBeUndefined();
    expect(
      OPENAI_WEBSOCKET.readServerMessage(message({ item: { type: 'response.done' }, type: 'conversation.item.created' })),
    ).toBeUndefined();
    expect(OPENAI_WEBSOCKET.readServerMessage(Buffer.from('{"type":"response.done",'))).toBeUndefined();
  });

  it('reads an oversized terminal event from its head and tail', () => {
    const big = message({
      type: 'response.completed',
      response: { output: [{ text: 'x'.repeat(200_000) }], usage: { input_tokens: 7, output_tokens: 9 } },
    });
    const event = OPENAI_WEBSOCKET.readOversizedServerMessage(big.subarray(0, 512), big.subarray(big.length - 65_536));
    expect(event).toMatchObject({ kind: 'response_ended', usage: { inputTokens: 7, outputTokens: 9 } });
  });
});
