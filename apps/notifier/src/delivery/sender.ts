import { Agent, request } from 'undici';
import type { TargetPolicy } from '../subscriptions/target-policy';
import { parseRetryAfter } from './backoff';

export interface SendResult {
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  retryAfterMs: number | null;
}

/**
 * One HTTP POST with a hard time limit. Connections are pooled per origin (keep-alive), and every
 * connection resolves its host through the allow-list, so a target whose DNS moved to a private
 * address is refused at connect time, not just when it was created.
 */
export class Sender {
  private readonly agent: Agent;

  constructor(
    policy: TargetPolicy,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent({ connect: { lookup: policy.lookup, timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 30_000 });
  }

  async post(url: string, body: string, headers: Record<string, string>, policy: TargetPolicy): Promise<SendResult> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    try {
      // An address literal is never looked up, so it is checked here.
      const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
      const why = /^[\d.]+$|:/.test(host) ? policy.whyNot(host) : null;
      if (why) return { statusCode: null, latencyMs: 0, error: `target ${host} ${why}`, retryAfterMs: null };
      const res = await request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'user-agent': 'orch-notifier/1', ...headers },
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // Read (and bound) the answer so the connection can be reused; its content is not kept.
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      return { statusCode: res.statusCode, latencyMs: elapsed(), error: res.statusCode < 300 ? null : `HTTP ${res.statusCode}`, retryAfterMs: parseRetryAfter(res.headers['retry-after']) };
    } catch (error) {
      const e = error as Error & { code?: string };
      const message = e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' ? `timed out after ${this.timeoutMs} ms` : `${e.code ? `${e.code}: ` : ''}${e.message}`;
      return { statusCode: null, latencyMs: elapsed(), error: message.slice(0, 500), retryAfterMs: null };
    }
  }

  /** Drops every connection, including requests still hanging on a dead endpoint. */
  destroy(): Promise<void> {
    return this.agent.destroy();
  }
}
