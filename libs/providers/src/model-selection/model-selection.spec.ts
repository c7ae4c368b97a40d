import { anthropicAdapter } from '../anthropic/anthropic.adapter';
import { geminiAdapter } from '../gemini/gemini.adapter';
import { mistralAdapter } from '../mistral/mistral.adapter';
import { openaiAdapter } from '../openai/openai.adapter';
import { createOpenAICompatibleAdapter } from '../openai-compatible/openai-compatible.adapter';
import type { ProviderAdapter } from '../provider-adapter';
import { BUILT_IN_ADAPTERS } from '../registry/built-in-providers';

const select = (adapter: ProviderAdapter, method: string, path: string) => adapter.modelSelection(method, path, '');

describe('modelSelection', () => {
  const vllm = createOpenAICompatibleAdapter('vllm', { kind: 'bearer' });

  it.each([...BUILT_IN_ADAPTERS, vllm].map((adapter) => [adapter.id, adapter] as const))(
    '%s: its main endpoint runs a model the request names; unknown POSTs fail closed',
    (_id, adapter) => {
      expect(select(adapter, adapter.probe.method, adapter.probe.pathSuffix).in).not.toBe('none');
      expect(select(adapter, adapter.probe.method, adapter.probe.pathSuffix).in).not.toBe('unreadable');
      expect(select(adapter, 'POST', '/v1/some/future/endpoint')).toEqual({ in: 'unreadable' });
    },
  );

  it('OpenAI: the body names the model of generation routes; listings, files and reads name none', () => {
    for (const path of ['/v1/chat/completions', '/v1/responses', '/v1/embeddings', '/v1/audio/transcriptions', '/v1/moderations']) {
      expect(select(openaiAdapter, 'POST', path)).toEqual({ in: 'body', optional: false });
    }
    expect(select(openaiAdapter, 'POST', '/v1/responses/input_tokens')).toEqual({ in: 'body', optional: true });
    for (const [method, path] of [
      ['GET', '/v1/models'],
      ['GET', '/v1/models/gpt-4.1'],
      ['POST', '/v1/files'],
      ['GET', '/v1/files/file-abc/content'],
      ['DELETE', '/v1/responses/resp_1'],
      ['POST', '/v1/batches/batch_1/cancel'],
      ['POST', '/v1/vector_stores/vs_1/files'],
    ] as const) {
      expect(select(openaiAdapter, method, path)).toEqual({ in: 'none' });
    }
    for (const path of [
      '/v1/batches',
      '/v1/evals/ev_1/runs',
      '/v1/realtime/client_secrets',
      '/v1/threads/t_1/runs/r_1/submit_tool_outputs',
    ]) {
      expect(select(openaiAdapter, 'POST', path)).toEqual({ in: 'unreadable' });
    }
    expect(select(vllm, 'POST', '/v1/chat/completions')).toEqual({ in: 'body', optional: false });
  });

  it('Anthropic: Messages in the body, count_tokens when named, batches unreadable', () => {
    expect(select(anthropicAdapter, 'POST', '/v1/messages')).toEqual({ in: 'body', optional: false });
    expect(select(anthropicAdapter, 'POST', '/v1/messages/count_tokens')).toEqual({ in: 'body', optional: true });
    expect(select(anthropicAdapter, 'POST', '/v1/messages/batches')).toEqual({ in: 'unreadable' });
    expect(select(anthropicAdapter, 'POST', '/v1/messages/batches/msgbatch_1/cancel')).toEqual({ in: 'none' });
    expect(select(anthropicAdapter, 'GET', '/v1/models')).toEqual({ in: 'none' });
    expect(select(anthropicAdapter, 'POST', '/v1/files')).toEqual({ in: 'none' });
  });

  it('Gemini: the URL names the model of every model method, decoded', () => {
    expect(select(geminiAdapter, 'POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent')).toEqual({
      in: 'url',
      model: 'gemini-2.5-flash',
    });
    expect(select(geminiAdapter, 'POST', '/v1/models/gemini%2D2.5-pro:countTokens')).toEqual({ in: 'url', model: 'gemini-2.5-pro' });
    expect(select(geminiAdapter, 'GET', '/v1beta/models')).toEqual({ in: 'none' });
    expect(select(geminiAdapter, 'GET', '/v1beta/models/gemini-2.5-flash')).toEqual({ in: 'none' });
  });

  it('Mistral: chat and OCR in the body; agent completions and batch jobs unreadable; files none', () => {
    expect(select(mistralAdapter, 'POST', '/v1/chat/completions')).toEqual({ in: 'body', optional: false });
    expect(select(mistralAdapter, 'POST', '/v1/ocr')).toEqual({ in: 'body', optional: false });
    expect(select(mistralAdapter, 'POST', '/v1/agents/completions')).toEqual({ in: 'unreadable' });
    expect(select(mistralAdapter, 'POST', '/v1/batch/jobs')).toEqual({ in: 'unreadable' });
    expect(select(mistralAdapter, 'POST', '/v1/files')).toEqual({ in: 'none' });
    expect(select(mistralAdapter, 'PATCH', '/v1/agents/ag_1')).toEqual({ in: 'none' });
  });
});
