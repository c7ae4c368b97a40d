import { afterEach, expect, jest } from '@jest/globals';
import { readRequestedModel } from './requested-model';
import { BODY_NOT_JSON, parsedJsonBody } from './parsed-body';

describe('parsedJsonBody', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('parses one Buffer once, however many readers ask, and a new Buffer again', () => {
    const parse = jest.spyOn(JSON, 'parse');
    const body = Buffer.from('{"model":"gpt-4.1","messages":[{"role":"user","content":"hi"}]}');
    const json = parsedJsonBody(body);
    expect(json).toEqual({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] });
    expect(readRequestedModel(body, { contentType: 'application/json', contentEncoding: undefined })).toEqual({
      kind: 'named',
      model: 'gpt-4.1',
    });
    expect(parsedJsonBody(body)).toBe(json);
    expect(parse).toHaveBeenCalledTimes(1);
    const copy = Buffer.from(body);
    expect(parsedJsonBody(copy)).toEqual(json);
    expect(parsedJsonBody(copy)).not.toBe(json);
    expect(parse).toHaveBeenCalledTimes(2);
  });

  it('remembers that bytes are not JSON, and readRequestedModel says so', () => {
    const body = Buffer.from('{"model":');
    expect(parsedJsonBody(body)).toBe(BODY_NOT_JSON);
    expect(parsedJsonBody(body)).toBe(BODY_NOT_JSON);
    expect(readRequestedModel(body, { contentType: 'application/json', contentEncoding: undefined })).toEqual({
      kind: 'unreadable',
      reason: 'the request body is not valid JSON',
    });
  });
});
