import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { AgentStatus } from '@orch/contracts';
import { REDIS } from '@orch/service-kit';

/** Beat keys outlive the longest lost timeout by this factor, then expire on their own. */
const BEAT_TTL_FACTOR = 3;

const BEAT = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return false end
if status == 'TERMINATED' then return status end
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], 'at', ARGV[1], 'load', ARGV[3], 'progress', ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
return status`;

const CLAIM = `
local pausedUntil = redis.call('ZSCORE', KEYS[2], ARGV[1])
if pausedUntil and tonumber(pausedUntil) > tonumber(ARGV[3]) then return 0 end
if redis.call('SET', KEYS[1], '1', 'PX', ARGV[2], 'NX') then return 1 end
return 0`;

export interface Beat {
  /** The status as last decided (fresher than a read model that is still applying it). */
  status: AgentStatus | null;
  at: number;
  load: number | null;
  progress: string | null;
}

/**
 * Liveness lives in Redis, never in the log (SPEC §3): per agent a status cache (so a heartbeat
 * is one round trip), the last beat, and one sorted set of last-beat times that the sweeper scans.
 */
@Injectable()
export class LivenessStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    if (!(redis as unknown as { agentBeat?: unknown }).agentBeat) redis.defineCommand('agentBeat', { numberOfKeys: 3, lua: BEAT });
    if (!(redis as unknown as { agentClaim?: unknown }).agentClaim) redis.defineCommand('agentClaim', { numberOfKeys: 2, lua: CLAIM });
  }

  private meta = (id: string) => `agents:meta:${id}`;
  private beatKey = (id: string) => `agents:beat:${id}`;
  private readonly beats = 'agents:beats';

  /** Records a beat if the agent is known here; answers its cached status, or null when unknown. */
  async beat(id: string, at: number, load: number | null, progress: string | null, ttlMs: number): Promise<AgentStatus | null> {
    const run = (this.redis as unknown as { agentBeat: (...a: unknown[]) => Promise<string | null> }).agentBeat;
    const status = await run.call(this.redis, this.meta(id), this.beats, this.beatKey(id), at, id, load ?? '', progress ?? '', ttlMs * BEAT_TTL_FACTOR);
    return (status as AgentStatus | null) ?? null;
  }

  async setStatus(id: string, status: AgentStatus): Promise<void> {
    if (status === 'TERMINATED') {
      await this.redis.multi().hset(this.meta(id), 'status', status).zrem(this.beats, id).exec();
      return;
    }
    await this.redis.hset(this.meta(id), 'status', status);
  }

  /** A new agent counts as having just beaten, so its timeouts run from registration. */
  async register(id: string, status: AgentStatus, at: number, type: string): Promise<void> {
    await this.redis.multi().hset(this.meta(id), 'status', status, 'type', type).zadd(this.beats, at, id).exec();
  }

  async statusOf(id: string): Promise<AgentStatus | null> {
    return (await this.redis.hget(this.meta(id), 'status')) as AgentStatus | null;
  }

  async typeOf(id: string): Promise<string | null> {
    return this.redis.hget(this.meta(id), 'type');
  }

  async lastBeats(ids: string[]): Promise<Map<string, Beat>> {
    if (ids.length === 0) return new Map();
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hmget(this.beatKey(id), 'at', 'load', 'progress').hget(this.meta(id), 'status');
    const scores = await this.redis.zmscore(this.beats, ...ids);
    const results = (await pipe.exec()) ?? [];
    const out = new Map<string, Beat>();
    ids.forEach((id, i) => {
      const [at, load, progress] = (results[2 * i]?.[1] as Array<string | null>) ?? [];
      const status = (results[2 * i + 1]?.[1] as AgentStatus | null) ?? null;
      const score = scores[i];
      const when = at ? Number(at) : score ? Number(score) : null;
      if (when !== null) out.set(id, { status, at: when, load: load ? Number(load) : null, progress: progress || null });
    });
    return out;
  }

  /** Agents whose last beat is older than `before` (ms since epoch). */
  async silentSince(before: number): Promise<Array<{ id: string; at: number }>> {
    const flat = await this.redis.zrangebyscore(this.beats, '-inf', before, 'WITHSCORES');
    const out: Array<{ id: string; at: number }> = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ id: flat[i]!, at: Number(flat[i + 1]) });
    return out;
  }

  /** Tasks of paused workflows, each with the time until which assignment skips it. */
  async markPaused(taskCode: string, ttlMs: number): Promise<void> {
    await this.redis.zadd('agents:paused', Date.now() + ttlMs, taskCode);
  }

  /** A workflow resumed: every skipped task is tried again. */
  async clearPaused(): Promise<void> {
    await this.redis.del('agents:paused');
  }

  /** Claims a task for one assignment attempt: refused when another instance holds it or its workflow is paused. */
  async claim(taskCode: string, ttlMs: number): Promise<boolean> {
    const run = (this.redis as unknown as { agentClaim: (...a: unknown[]) => Promise<number> }).agentClaim;
    return (await run.call(this.redis, `agents:lock:claim:${taskCode}`, 'agents:paused', taskCode, ttlMs, Date.now())) === 1;
  }

  /** One instance acts per agent: a short lock, released when done or expired if the holder dies. */
  async lock(name: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`agents:lock:${name}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async unlock(name: string): Promise<void> {
    await this.redis.del(`agents:lock:${name}`);
  }
}
