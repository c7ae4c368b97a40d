import { expect } from '@jest/globals';
import { readRequestedModel, type RequestedModelHeaders } from './requested-model';

const json: RequestedModelHeaders = { contentType: 'application/json', contentEncoding: undefined };
const read = (body: string, headers = json) => readRequestedModel(Buffer.from(body, 'utf8'), headers);

function form(parts: string[], boundary = 'b0undary'): { body: string; headers: { contentType: string; contentEncoding: undefined } } {
  return {
    body: `${parts.map((part) => `--${boundary}\r\n${part}\r\n`).join('')}--${boundary}--\r\n`,
    headers: { contentType: `multipart/form-data; boundary=${boundary}`, contentEncoding: undefined },
  };
}
const field = (name: string, value: string) => `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`;
const file = `Content-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\nRIFF\u0000\u0001model`;

describe('readRequestedModel: JSON', () => {
  it('reads the top-level model exactly as sent, the last one as JSON parsers keep it', () => {
    expect(read('{"input":{"model":"x"},"model":"gpt-4.1"}')).toEqual({ kind: 'named', model: 'gpt-4.1' });
    expect(read('{"model":"gpt-4.1","model":"o3"}')).toEqual({ kind: 'named', model: 'o3' });
    expect(read('{"model":"gpt\\u002d4.1 "}')).toEqual({ kind: 'named', model: 'gpt-4.1 ' });
    expect(read('{"model":"gpt-4.1"}', { contentType: undefined, contentEncoding: undefined })).toEqual({
      kind: 'named',
      model: 'gpt-4.1',
    });
  });

  it('names none for an empty body, a body without model, or a non-object', () => {
    expect(read('')).toEqual({ kind: 'unnamed' });
    expect(read('{"messages":[]}')).toEqual({ kind: 'unnamed' });
    expect(read('[{"model":"gpt-4.1"}]')).toEqual({ kind: 'unnamed' });
  });

  it('never guesses: bad JSON, a non-string model and compressed bodies are unreadable', () => {
    expect(read('{"model":"gpt-4.1",')).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(/JSON/) });
    expect(read('{"model":["gpt-4.1"]}')).toMatchObject({ kind: 'unreadable' });
    expect(read('{"model":null}')).toMatchObject({ kind: 'unreadable' });
    expect(read('{"model":"gpt-4.1"}', { contentType: 'application/json', contentEncoding: 'gzip' })).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringMatching(/compressed/),
    });
    expect(read('{"model":"gpt-4.1"}', { contentType: 'application/json', contentEncoding: 'identity' })).toMatchObject({
      kind: 'named',
    });
  });
});

describe('readRequestedModel: multipart', () => {
  it('reads the model field wherever it is, file content passed over', () => {
    const { body, headers } = form([file, field('model', 'whisper-1'), field('language', 'en')]);
    expect(readRequestedModel(Buffer.from(body, 'latin1'), headers)).toEqual({ kind: 'named', model: 'whisper-1' });
  });

  it('names none without a model field, accepts repeats of one value, refuses two values', () => {
    const none = form([file]);
    expect(readRequestedModel(Buffer.from(none.body, 'latin1'), none.headers)).toEqual({ kind: 'unnamed' });
    const same = form([field('model', 'whisper-1'), file, field('model', 'whisper-1')]);
    expect(readRequestedModel(Buffer.from(same.body, 'latin1'), same.headers)).toEqual({ kind: 'named', model: 'whisper-1' });
    const two = form([field('model', 'whisper-1'), file, field('model', 'gpt-4o-transcribe')]);
    expect(readRequestedModel(Buffer.from(two.body, 'latin1'), two.headers)).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringMatching(/more than one/),
    });
  });

  it('refuses irregular forms another parser might read differently', () => {
    const cases = [
      // A delimiter after a bare LF.
      `--b0undary\r\n${field('model', 'whisper-1')}\n--b0undary\r\n${field('model', 'other')}\r\n--b0undary--\r\n`,
      // Text after a delimiter on its line.
      `--b0undaryX\r\n${field('model', 'whisper-1')}\r\n--b0undary--\r\n`,
      // Two name parameters, and an extended name*.
      `--b0undary\r\nContent-Disposition: form-data; name="file"; name="model"\r\n\r\nx\r\n--b0undary--\r\n`,
      `--b0undary\r\nContent-Disposition: form-data; name*=UTF-8''model\r\n\r\nx\r\n--b0undary--\r\n`,
      // Cut short.
      `--b0undary\r\n${field('model', 'whisper-1')}`,
    ];
    for (const body of cases) {
      const headers = { contentType: 'multipart/form-data; boundary=b0undary', contentEncoding: undefined };
      expect(readRequestedModel(Buffer.from(body, 'latin1'), headers)).toMatchObject({ kind: 'unreadable' });
    }
    expect(readRequestedModel(Buffer.from('x'), { contentType: 'multipart/form-data', contentEncoding: undefined })).toMatchObject({
      kind: 'unreadable',
      reason: expect.stringMatching(/boundary/),
    });
  });

  it('takes a preamble and padding after a delimiter, and keeps the value byte for byte', () => {
    const body = `preamble\r\n--b0undary  \r\n${field('model', ' whisper-1')}\r\n--b0undary--\r\n`;
    const headers = { contentType: 'multipart/form-data; boundary="b0undary"', contentEncoding: undefined };
    expect(readRequestedModel(Buffer.from(body, 'latin1'), headers)).toEqual({ kind: 'named', model: ' whisper-1' });
  });
});
