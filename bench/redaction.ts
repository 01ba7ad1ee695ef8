import { redactSecrets } from '@orch/redaction';

/**
 * Redaction throughput in one process, over text shaped like what agents send: log lines, stack
 * traces, code and config, with a secret in about one line of 200. Reported in MB/s of input.
 */
export function redactionRate(seconds = 2): { mbPerSecond: number; redactionsPerMb: number } {
  const lines = [
    '2026-11-24T10:00:00.123Z INFO  [planner] task TSK-1042 moved to READY after TSK-1041 finished (3 dependents)',
    "TypeError: Cannot read properties of undefined (reading 'token')\n    at handler (/repo/apps/api/src/auth.ts:42:17)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
    'export async function login(user: string, password: string): Promise<Session> { return this.auth.verify(user, password); }',
    'error: connect ECONNREFUSED postgres://postgres@127.0.0.1:5432/orchestrator (retrying in 250 ms)',
    '  ✓ moves a task through its statuses with If-Match, and 412s a stale one (38 ms)',
    'DATABASE_URL=postgres://app@db:5432/app\nLOG_LEVEL=info\nFEATURE_FLAGS=search,webhooks',
  ];
  const secret = 'DB_PASSWORD=correct-horse-battery-staple';
  const chunk: string[] = [];
  for (let i = 0; i < 2000; i++) chunk.push(i % 200 === 0 ? secret : lines[i % lines.length]!);
  const text = chunk.join('\n'); // ~200 KB, the size of a large artifact or a batch of log lines
  const bytes = Buffer.byteLength(text);
  for (let i = 0; i < 20; i++) redactSecrets(text);
  let done = 0;
  let redactions = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    redactions += redactSecrets(text).count;
    done += bytes;
  }
  const mb = done / 1e6;
  return { mbPerSecond: Math.round(mb / ((performance.now() - started) / 1000)), redactionsPerMb: Math.round(redactions / mb) };
}

if (require.main === module) process.stdout.write(`${JSON.stringify(redactionRate())}\n`);
