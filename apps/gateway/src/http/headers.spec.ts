import { ValidationError } from '@orch/errors';
import { commandIdFor, etagOf, parseBearer, parseCorrelationId, parseIdempotencyKey, parseIfMatch, parseMinSeq } from './headers';

const refused = (fn: () => unknown, header: string) => {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  expect((caught as ValidationError).code).toBe('REQUEST.INVALID_HEADER');
  expect((caught as ValidationError).errors[0]?.path).toBe(`headers.${header}`);
};

describe('Idempotency-Key', () => {
  it('is optional', () => expect(parseIdempotencyKey(undefined)).toBeUndefined());
  it('accepts 1-128 letters, digits, "_" and "-"', () => {
    expect(parseIdempotencyKey('retry-1_A')).toBe('retry-1_A');
    expect(parseIdempotencyKey('k'.repeat(128))).toHaveLength(128);
  });
  it.each(['', 'has space', 'dot.ted', 'k'.repeat(129), 'ümlaut'])('refuses %j', (value) => refused(() => parseIdempotencyKey(value), 'Idempotency-Key'));
  it('refuses the header given twice', () => refused(() => parseIdempotencyKey(['a', 'b']), 'Idempotency-Key'));
});

describe('If-Match', () => {
  it('reads a quoted ETag or a bare version', () => {
    expect(parseIfMatch('"3"')).toBe(3);
    expect(parseIfMatch('12')).toBe(12);
    expect(parseIfMatch(' "0" ')).toBe(0);
  });
  it('sets no expectation when absent or "*"', () => {
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(parseIfMatch('*')).toBeUndefined();
  });
  it.each(['W/"3"', '"abc"', '-1', '"1", "2"', '1.5'])('refuses %j', (value) => refused(() => parseIfMatch(value), 'If-Match'));
  it('round-trips with the ETag it answers', () => expect(parseIfMatch(etagOf(7))).toBe(7));
});

describe('X-Orch-Min-Seq', () => {
  it('reads a non-negative integer', () => {
    expect(parseMinSeq('42')).toBe(42);
    expect(parseMinSeq('0')).toBe(0);
    expect(parseMinSeq(undefined)).toBeUndefined();
  });
  it.each(['1.5', '-3', 'abc', '1e3', '0x10'])('refuses %j', (value) => refused(() => parseMinSeq(value), 'X-Orch-Min-Seq'));
});

describe('X-Correlation-Id', () => {
  it('keeps a usable one', () => expect(parseCorrelationId('req-1:abc.DEF_2')).toEqual({ id: 'req-1:abc.DEF_2', replaced: false }));
  it('generates one when absent', () => expect(parseCorrelationId(undefined).id).toMatch(/^[0-9a-f-]{36}$/));
  it('replaces an unusable one rather than failing the request', () => {
    const { id, replaced } = parseCorrelationId('has spaces\nand a newline');
    expect(replaced).toBe(true);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('Authorization', () => {
  it('takes the key of a bearer credential, whatever the case of the scheme', () => {
    expect(parseBearer('Bearer abc123')).toBe('abc123');
    expect(parseBearer('bearer  abc123')).toBe('abc123');
  });
  it.each([undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b'])('finds no key in %j', (value) => expect(parseBearer(value)).toBeUndefined());
});

describe('command ids from Idempotency-Key', () => {
  it('gives the same key from the same caller the same command id', () => {
    expect(commandIdFor('key-a', 'retry-1')).toBe(commandIdFor('key-a', 'retry-1'));
  });

  it('keeps two callers who pick the same key apart', () => {
    expect(commandIdFor('key-a', 'retry-1')).not.toBe(commandIdFor('key-b', 'retry-1'));
  });

  it('gives every write without a key a fresh id', () => {
    expect(commandIdFor('key-a', undefined)).not.toBe(commandIdFor('key-a', undefined));
  });
});
