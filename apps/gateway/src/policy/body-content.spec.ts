import { bodyKind } from './body-content';

describe('bodyKind', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['application/json', 'json'],
    ['Application/JSON; charset=utf-8', 'json'],
    ['application/vnd.api+json', 'json'],
    ['application/json; charset=UTF8', 'json'],
    ['text/plain', 'text'],
    ['text/plain; charset=utf-8', 'text'],
    ['application/json; charset=utf-16', 'other'],
    ['text/plain; charset=latin1', 'other'],
    ['multipart/form-data; boundary=x', 'other'],
    ['application/x-www-form-urlencoded', 'other'],
    ['application/octet-stream', 'other'],
    ['text/json', 'other'],
  ])('%s → %s', (contentType, kind) => {
    expect(bodyKind(contentType)).toBe(kind);
  });
});
