import { parameterise, parameteriseQuoted } from './parameterise';

const same = (a: string, b: string) => expect(parameterise(a)).toBe(parameterise(b));
const differ = (a: string, b: string) => expect(parameterise(a)).not.toBe(parameterise(b));

describe('parameterise', () => {
  describe('replaces data', () => {
    it('emails', () => expect(parameterise('user a.b+c@ex-ample.co.uk exists')).toBe('user <email> exists'));
    it('urls, before the uuids and numbers inside them', () => expect(parameterise('GET https://x.io/u/42?id=1 failed')).toBe('GET <url> failed'));
    it('uuids', () => expect(parameterise('run 3F2A1B2C-1111-2222-3333-444455556666 lost')).toBe('run <uuid> lost'));
    it('long hex hashes but not hex-looking words', () => {
      expect(parameterise('commit 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b gone')).toBe('commit <hash> gone');
      expect(parameterise('decaf facade')).toBe('decaf facade');
    });
    it('dates and times', () => {
      expect(parameterise('at 2024-01-02T10:11:12.5Z')).toBe('at <date>');
      expect(parameterise('on 2024-01-02 at 10:11:12')).toBe('on <date> at <time>');
    });
    it('durations', () => expect(parameterise('took 1500ms then 2.5 s')).toBe('took <duration> then <duration>'));
    it('ip addresses, keeping the port', () => {
      expect(parameterise('connect ECONNREFUSED 10.0.0.7:5432')).toBe('connect ECONNREFUSED <ip>:5432');
      expect(parameterise('from fe80:0:0:0:1:2:3:4')).toBe('from <ip>');
    });
    it('hex addresses', () => expect(parameterise('fault at 0x7ffd1234')).toBe('fault at <hex>'));
    it('floats', () => expect(parameterise('ratio 0.75 and -1.5')).toBe('ratio <float> and <float>'));
    it('integers, with positions', () => expect(parameterise('a.ts:12:7 retry -1 of 3')).toBe('a.ts:<int>:<int> retry <int> of <int>'));
    it('numbers after # when there are 2+ digits', () => expect(parameterise('order #12345, argument #1')).toBe('order #<int>, argument #1'));
  });

  describe('digits inside identifiers', () => {
    it('goes when 2+ follow _ or -', () => {
      expect(parameterise('row user_8812')).toBe('row user_#');
      expect(parameterise('dir build-42')).toBe('dir build-#');
    });
    it('goes when 4+ are in a row', () => expect(parameterise('host worker1234x')).toBe('host worker#x'));
    it('stays otherwise (utf-8, sha256, e2e, v2)', () => expect(parameterise('utf-8 sha256 e2e v2')).toBe('utf-8 sha256 e2e v2'));
  });

  describe('keeps what tells bugs apart', () => {
    it('TS codes', () => differ('error TS2339: x', 'error TS2551: x'));
    it('SQLSTATEs', () => {
      expect(parameterise('SQLSTATE[23505]: dup')).toBe('SQLSTATE[23505]: dup');
      differ('failed with code 23505', 'failed with code 23503');
    });
    it('HTTP status codes', () => {
      expect(parameterise('Request failed with status code 404')).toBe('Request failed with status code 404');
      differ('401 Unauthorized', '403 Forbidden');
      differ('HTTP 502 from upstream', 'HTTP 504 from upstream');
    });
    it('exit codes and signal numbers', () => {
      expect(parameterise('Command failed with exit code 137: npm test')).toBe('Command failed with exit code 137: npm test');
      differ('exit status 126', 'exit status 127');
      differ('killed by signal 9', 'killed by signal 15');
    });
    it('errno numbers', () => differ('errno -2', 'errno -13'));
    it('ports after a host, and well-known ports after any name', () => {
      differ('connect 127.0.0.1:5432', 'connect 127.0.0.1:6379');
      differ('address in use :::3000', 'address in use :::4222');
      differ('ENOTFOUND db.internal:5432', 'ENOTFOUND db.internal:27017');
      same('file.ts:41', 'file.ts:97');
      differ("Connect call failed ('10.0.0.1', 6379)", "Connect call failed ('10.0.0.1', 5432)");
      same("Connect call failed ('10.0.0.1', 41234)", "Connect call failed ('10.0.0.2', 51234)");
    });
  });

  describe('quoted values', () => {
    it('keeps identifier-like names after words like column, relation, constraint, module, property', () => {
      differ('column "email" of relation "users"', 'column "title" of relation "users"');
      differ('violates unique constraint "a_key"', 'violates unique constraint "b_key"');
      differ("Cannot find module 'lodash'", "Cannot find module 'express'");
      differ("Property 'a' does not exist", "Property 'b' does not exist");
    });
    it('replaces values after =', () => expect(parameteriseQuoted("mode='fast' given")).toBe("mode='<str>' given"));
    it('replaces a value at the end of the message', () => expect(parameteriseQuoted('for type integer: "abc".')).toBe('for type integer: "<str>".'));
    it('replaces values that are not identifier-like', () => expect(parameteriseQuoted("got 'hello world' here")).toBe("got '<str>' here"));
    it('keeps an identifier-like value in the middle of the message', () => expect(parameteriseQuoted("'NoneType' object has no attribute")).toBe("'NoneType' object has no attribute"));
    it('keeps a quoted code it set aside', () => expect(parameterise("failed with code '23505'")).toBe("failed with code '23505'"));
  });
});
