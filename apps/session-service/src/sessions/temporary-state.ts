import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { MAX_STATE_ENTRIES, type StateEntry } from '@orch/contracts';
import { NotFoundError, PreconditionFailedError, RuleViolation } from '@orch/errors';
import { REDIS } from '@orch/service-kit';

/**
 * Set an entry if its version is the expected one. KEYS: entry hash, index zset.
 * ARGV: expected version ('' = any), value JSON, at, by, ttl ms, expires-at ms, name, max entries, now ms.
 * Answers {1, version} when set, {0, current} on a version mismatch, {-1, count} when full.
 */
const PUT = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= current then return {0, current} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[9])
if current == 0 then
  local count = redis.call('ZCARD', KEYS[2])
  if count >= tonumber(ARGV[8]) then return {-1, count} end
end
redis.call('HSET', KEYS[1], 'value', ARGV[2], 'version', current + 1, 'at', ARGV[3], 'by', ARGV[4], 'expiresAt', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[6], ARGV[7])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[5]) then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
return {1, current + 1}`;

/** Remove an entry if it exists (and has the expected version). ARGV: expected ('' = any), name. Answers like PUT; {-1, 0} when absent. */
const REMOVE = `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current == 0 then return {-1, 0} end
if ARGV[1] ~= '' and tonumber(ARGV[1]) ~= current then return {0, current} end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return {1, current + 1}`;

/**
 * Temporary session state (scope `temporary`): Redis hashes that expire after their TTL, never
 * in the log. Per session, a sorted set of names by expiry lists them without SCAN.
 */
@Injectable()
export class TemporaryState {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  private entryKey(sessionKey: string, name: string): string {
    return `sessions:tmp:${sessionKey}:${name}`;
  }

  private indexKey(sessionKey: string): string {
    return `sessions:tmp-index:${sessionKey}`;
  }

  async put(sessionKey: string, name: string, value: unknown, ttlSeconds: number, expectedVersion: number | undefined, by: string, at: string): Promise<StateEntry> {
    const now = Date.now();
    const expiresAt = now + ttlSeconds * 1000;
    const args = [expectedVersion ?? '', JSON.stringify(value), at, by, ttlSeconds * 1000, expiresAt, name, MAX_STATE_ENTRIES, now];
    const [outcome, version] = (await this.redis.eval(PUT, 2, this.entryKey(sessionKey, name), this.indexKey(sessionKey), ...args)) as [number, number];
    if (outcome === 0) throw mismatch(sessionKey, name, version, expectedVersion!);
    if (outcome === -1) throw new RuleViolation('SESSION.STATE_FULL', `Session ${sessionKey} holds ${MAX_STATE_ENTRIES} temporary entries, the most it takes: remove some or let them expire`);
    return { name, scope: 'temporary', value, version, owner: null, updatedAt: at, updatedBy: by, expiresAt: new Date(expiresAt).toISOString() };
  }

  async get(sessionKey: string, name: string): Promise<StateEntry | null> {
    return entryOf(name, await this.redis.hgetall(this.entryKey(sessionKey, name)));
  }

  async list(sessionKey: string): Promise<StateEntry[]> {
    const names = await this.redis.zrangebyscore(this.indexKey(sessionKey), `(${Date.now()}`, '+inf');
    if (names.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const name of names) pipeline.hgetall(this.entryKey(sessionKey, name));
    const rows = (await pipeline.exec()) ?? [];
    return names
      .map((name, i) => entryOf(name, (rows[i]?.[1] ?? {}) as Record<string, string>))
      .filter((e): e is StateEntry => e !== null)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Removes the entry; answers the version its removal counts as. */
  async remove(sessionKey: string, name: string, expectedVersion: number | undefined): Promise<number> {
    const [outcome, version] = (await this.redis.eval(REMOVE, 2, this.entryKey(sessionKey, name), this.indexKey(sessionKey), expectedVersion ?? '', name)) as [number, number];
    if (outcome === -1) throw new NotFoundError('SESSION.STATE_NOT_FOUND', `Session ${sessionKey} has no temporary entry ${name} (it may have expired)`);
    if (outcome === 0) throw mismatch(sessionKey, name, version, expectedVersion!);
    return version;
  }
}

function mismatch(sessionKey: string, name: string, current: number, expected: number): PreconditionFailedError {
  return new PreconditionFailedError('SESSION.STATE_VERSION_MISMATCH', `The temporary entry ${name} of ${sessionKey} is at version ${current}, not ${expected}`, { currentVersion: current, name, scope: 'temporary' });
}

/** A hash as Redis holds it → the entry; an expired (empty) hash → null. */
function entryOf(name: string, h: Record<string, string>): StateEntry | null {
  if (!h.version) return null;
  return { name, scope: 'temporary', value: JSON.parse(h.value ?? 'null'), version: Number(h.version), owner: null, updatedAt: h.at ?? '', updatedBy: h.by ?? '', expiresAt: new Date(Number(h.expiresAt)).toISOString() };
}
