import {
  parseAdminToken,
  parseBoolean,
  parseCorsOrigins,
  parseDatabaseUrlSetting,
  parseHost,
  parseHttpBaseUrl,
  parseInteger,
  parseLogLevel,
  parseMasterKey,
  parsePort,
  parseTrustProxy,
  type ParseResult,
} from './setting-parsers';

function value<T>(result: ParseResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got: ${result.error}`);
  return result.value;
}

describe('parseBoolean', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    [' Yes ', true],
    ['1', true],
    ['false', false],
    ['No', false],
    ['0', false],
    [true, true],
    [false, false],
    [1, true],
    [0, false],
  ])('%j → %j', (raw, expected) => {
    expect(value(parseBoolean(raw))).toBe(expected);
  });

  it.each(['', 'on', 'y', '2', 'truthy', 2, null, ['true']])('rejects %j', (raw) => {
    expect(parseBoolean(raw)).toEqual({ ok: false, error: 'must be one of true, false, 1, 0, yes, no' });
  });
});

describe('parsePort', () => {
  it.each([
    ['0', 0],
    ['8080', 8080],
    [' 65535 ', 65535],
    [9090, 9090],
  ])('%j → %j', (raw, expected) => {
    expect(value(parsePort(raw))).toBe(expected);
  });

  it.each(['abc', '-1', '65536', '80.5', '1e3', '0x50', '', 80.5, -1, 70000, true])('rejects %j', (raw) => {
    expect(parsePort(raw)).toEqual({ ok: false, error: 'must be an integer from 0 to 65535' });
  });
});

describe('parseInteger with a unit', () => {
  it('words the unit and the bounds', () => {
    expect(parseInteger('0', 1, 100, 'milliseconds')).toEqual({
      ok: false,
      error: 'must be a whole number of milliseconds from 1 to 100',
    });
    expect(parseInteger('99999999999999999999', 1, 100)).toEqual({
      ok: false,
      error: 'must be an integer from 1 to 100',
    });
    expect(value(parseInteger('100', 1, 100))).toBe(100);
  });
});

describe('parseHost', () => {
  it.each(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'navplane.internal', 'my-host'])('accepts %s', (raw) => {
    expect(value(parseHost(raw))).toBe(raw);
  });
  it.each(['', 'http://localhost', 'a b', '-bad', 'host:8080', 8080])('rejects %j', (raw) => {
    expect(parseHost(raw).ok).toBe(false);
  });
});

describe('parseHttpBaseUrl', () => {
  it.each([
    ['https://api.openai.com', 'https://api.openai.com'],
    ['https://api.openai.com/', 'https://api.openai.com'],
    ['http://127.0.0.1:9999//', 'http://127.0.0.1:9999'],
    ['https://proxy.example.com/openai/', 'https://proxy.example.com/openai'],
    ['HTTPS://API.Example.COM', 'https://api.example.com'],
  ])('%s → %s', (raw, expected) => {
    expect(value(parseHttpBaseUrl(raw))).toBe(expected);
  });

  it.each([
    ['ftp://api.openai.com', 'must be an absolute http:// or https:// URL'],
    ['api.openai.com', 'must be an absolute http:// or https:// URL'],
    ['https://u:p@api.openai.com', 'must not contain credentials'],
    ['https://api.openai.com/?x=1', 'must not contain a query string or fragment'],
    ['https://api.openai.com/#x', 'must not contain a query string or fragment'],
  ])('rejects %s', (raw, message) => {
    const result = parseHttpBaseUrl(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

describe('parseDatabaseUrlSetting', () => {
  it.each([
    'sqlite:./data/navplane.db',
    'sqlite:/var/lib/navplane/db.sqlite',
    'sqlite:///var/lib/navplane/db.sqlite',
    'sqlite::memory:',
    'postgres://postgres@127.0.0.1:5432/postgres',
    'postgresql://user:pw@db.example.com/navplane?sslmode=require',
  ])('accepts %s', (raw) => {
    expect(value(parseDatabaseUrlSetting(raw))).toBe(raw);
  });

  it.each(['mysql://u@h/db', './data/navplane.db', 'sqlite:', 'sqlite://x', 'postgres:/nohost', 'postgres:///db', 42])(
    'rejects %j',
    (raw) => {
      expect(parseDatabaseUrlSetting(raw).ok).toBe(false);
    },
  );
});

describe('parseMasterKey', () => {
  const key = Buffer.alloc(32, 7);

  it('decodes standard and URL-safe base64 of 32 bytes, ignoring surrounding whitespace', () => {
    expect(value(parseMasterKey(key.toString('base64')))).toEqual(key);
    expect(value(parseMasterKey(`${key.toString('base64url')}\n`))).toEqual(key);
  });

  it.each([
    Buffer.alloc(31).toString('base64'),
    Buffer.alloc(33).toString('base64'),
    `${key.toString('base64').slice(0, 20)}!!${key.toString('base64').slice(22)}`,
    '',
    32,
  ])('rejects %j without showing it', (raw) => {
    const result = parseMasterKey(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^must be base64 of exactly 32 bytes.*value is not shown$/);
  });
});

describe('parseAdminToken', () => {
  it('accepts 16+ characters without whitespace', () => {
    expect(value(parseAdminToken('0123456789abcdef'))).toBe('0123456789abcdef');
  });
  it.each(['short', '0123456789abcde', 'has some spaces in it', 1234567890123456])('rejects %j', (raw) => {
    expect(parseAdminToken(raw).ok).toBe(false);
  });
});

describe('parseLogLevel', () => {
  it.each(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'])('accepts %s', (raw) => {
    expect(value(parseLogLevel(raw.toUpperCase()))).toBe(raw);
  });
  it.each(['trace', 'warning', '', 3])('rejects %j', (raw) => {
    expect(parseLogLevel(raw)).toEqual({
      ok: false,
      error: 'must be one of error, warn, info, http, verbose, debug, silly',
    });
  });
});

describe('parseTrustProxy', () => {
  it.each([
    ['false', false],
    ['TRUE', true],
    [true, true],
    ['0', 0],
    ['2', 2],
    [1, 1],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8 ,LinkLocal', ['loopback', '10.0.0.0/8', 'linklocal']],
    ['192.168.1.1/255.255.255.0,fc00::/7,::1', ['192.168.1.1/255.255.255.0', 'fc00::/7', '::1']],
    [
      ['uniquelocal', '172.16.0.1'],
      ['uniquelocal', '172.16.0.1'],
    ],
  ])('%j → %j', (raw, expected) => {
    expect(value(parseTrustProxy(raw))).toEqual(expected);
  });

  it.each(['yes', 'somewhere', '10.0.0.0/33', '::1/129', '10.0.0.1/24/1', 'loopback,', '-1', '1.5', [1], {}])('rejects %j', (raw) => {
    expect(parseTrustProxy(raw).ok).toBe(false);
  });
});

describe('parseCorsOrigins', () => {
  it.each([
    [undefined, []],
    ['https://dash.example.com', ['https://dash.example.com']],
    ['https://dash.example.com/, http://localhost:3000,https://dash.example.com,', ['https://dash.example.com', 'http://localhost:3000']],
    [['HTTPS://Dash.Example.com'], ['https://dash.example.com']],
  ])('%j → %j', (raw, expected) => {
    expect(value(parseCorsOrigins(raw))).toEqual(expected);
  });

  it.each([
    '*',
    'dash.example.com',
    'https://dash.example.com/app',
    'ftp://x.example',
    'https://x.example?q=1',
    'https://u:p@x.example',
    [1],
    5,
  ])('rejects %j', (raw) => {
    expect(parseCorsOrigins(raw).ok).toBe(false);
  });
});
