import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Role } from '@orch/contracts';

/** How fast one key of a role may call: a steady rate with a burst on top. */
export interface RoleLimit {
  perSecond: number;
  burst: number;
}

export type RateLimits = Partial<Record<Role, RoleLimit>>;

/** `admin:500:2000,agent:100:1000` → per-role limits; `off` → none. The config schema checked the shape. */
export function parseRateLimits(spec: string): RateLimits {
  if (spec === 'off') return {};
  const limits: RateLimits = {};
  for (const part of spec.split(',')) {
    const [role, perSecond, burst] = part.split(':');
    limits[role as Role] = { perSecond: Number(perSecond), burst: Number(burst) };
  }
  return limits;
}

export type RateDecision = { allowed: true; remaining: number; limit: number } | { allowed: false; retryAfterMs: number; limit: number };

/**
 * GCRA (the generic cell rate algorithm) in one Lua call, so that every gateway instance shares
 * the same budget per key and a check is one round trip. The clock is Redis's own (`TIME`), so
 * instances with skewed clocks still agree. One key holds the "theoretical arrival time" in µs.
 */
const GCRA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval
if new_tat - now > tolerance then
  return {0, new_tat - tolerance - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1)
return {1, math.floor((tolerance - (new_tat - now)) / interval)}
`;

/**
 * Limits requests per API key. When Redis does not answer, requests pass (fail open) and a
 * warning is logged at most every 10 s: a control plane that stops while its limiter is away
 * would hurt more than a burst the limiter did not see.
 */
export class RateLimiter {
  private warnedAt = 0;

  constructor(
    private readonly redis: Redis,
    private readonly limits: RateLimits,
    private readonly logger: Logger,
  ) {
    redis.defineCommand('orchGcra', { numberOfKeys: 1, lua: GCRA });
  }

  async check(role: Role, keyId: string): Promise<RateDecision | undefined> {
    const limit = this.limits[role];
    if (!limit) return undefined;
    const interval = Math.max(1, Math.round(1_000_000 / limit.perSecond));
    const tolerance = interval * limit.burst;
    try {
      const [allowed, value] = (await (this.redis as unknown as Gcra).orchGcra(`rl:${keyId}`, interval, tolerance)) as [number, number];
      return allowed === 1 ? { allowed: true, remaining: value, limit: limit.burst } : { allowed: false, retryAfterMs: Math.ceil(value / 1000), limit: limit.burst };
    } catch (error) {
      if (Date.now() - this.warnedAt > 10_000) {
        this.warnedAt = Date.now();
        this.logger.warn({ err: error }, 'rate limiter cannot reach Redis; requests pass unlimited until it answers');
      }
      return undefined;
    }
  }
}

interface Gcra {
  orchGcra(key: string, interval: number, tolerance: number): Promise<unknown>;
}
