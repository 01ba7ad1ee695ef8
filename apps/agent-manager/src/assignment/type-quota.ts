import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '@orch/service-kit';
import type { AgentTypes } from '../config/agent-types';
import { AgentReadModel } from '../read-model/agent-read-model';
import { AGENT_TYPES } from '../tokens';

/** Takes a slot if the type is under its cap; the count is seeded from the read model when absent. */
const TAKE = `
local v = redis.call('GET', KEYS[1]) or ARGV[2]
if v == '' then return -1 end
local n = tonumber(v)
if n >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], n + 1)
return 1`;
const GIVE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0') - tonumber(ARGV[1])
if n < 0 then n = 0 end
redis.call('SET', KEYS[1], n)
return n`;

type Scripts = { typeTake: (...a: unknown[]) => Promise<number>; typeGive: (...a: unknown[]) => Promise<number> };

/**
 * Max concurrent tasks per agent type (`maxConcurrent` in config/agents.yaml), across every
 * instance: a Redis counter taken before an assignment and given back by every release
 * (done, lost, terminated, lost race). Types without a cap are not counted.
 */
@Injectable()
export class TypeQuota {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(AGENT_TYPES) private readonly types: AgentTypes,
    private readonly readModel: AgentReadModel,
  ) {
    const r = redis as unknown as Partial<Scripts>;
    if (!r.typeTake) redis.defineCommand('typeTake', { numberOfKeys: 1, lua: TAKE });
    if (!r.typeGive) redis.defineCommand('typeGive', { numberOfKeys: 1, lua: GIVE });
  }

  private cap(type: string): number | null {
    return this.types.get(type)?.maxConcurrent ?? null;
  }

  async take(type: string): Promise<boolean> {
    const cap = this.cap(type);
    if (cap === null) return true;
    const s = this.redis as unknown as Scripts;
    const key = `agents:type-load:${type}`;
    // Usually one round trip; the read model is asked only when the counter does not exist yet.
    let taken = await s.typeTake.call(this.redis, key, cap, '');
    if (taken === -1) taken = await s.typeTake.call(this.redis, key, cap, String((await this.readModel.loadByType()).get(type) ?? 0));
    return taken === 1;
  }

  async give(type: string, count = 1): Promise<void> {
    if (this.cap(type) === null || count <= 0) return;
    const s = this.redis as unknown as Scripts;
    await s.typeGive.call(this.redis, `agents:type-load:${type}`, count);
  }
}
