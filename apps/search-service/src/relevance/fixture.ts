/**
 * The relevance fixture: a small but realistic project history (two sprints, five tasks, seven
 * sessions, bugs) with the traps a search must handle — identical texts at different times,
 * the same words in other scopes, inflected words, phrases against scattered words, file paths,
 * and event types. Every event has a key that the judgments (judgments.ts) grade.
 */
export interface FixtureEvent {
  key: string;
  /** Hours after the fixture's start. */
  hour: number;
  aggregateType: string;
  aggregateId: string;
  type: string;
  data: Record<string, unknown>;
}

const E: FixtureEvent[] = [];
const ev = (key: string, hour: number, aggregateType: string, aggregateId: string, type: string, data: Record<string, unknown>) =>
  void E.push({ key, hour, aggregateType, aggregateId, type, data });
const sess = (key: string, hour: number, sessionKey: string, type: string, data: Record<string, unknown>) => {
  const [, task] = /^sess_(TSK-\d+)_/.exec(sessionKey)!;
  const sprint = ['TSK-1', 'TSK-2', 'TSK-3'].includes(task!) ? 'SPR-1' : 'SPR-2';
  ev(key, hour, 'session', sessionKey, type, { sessionKey, taskCode: task, sprintCode: sprint, ...data });
};
const task = (key: string, hour: number, code: string, sprintCode: string, title: string, description: string) =>
  ev(key, hour, 'task', code, 'orchestration.task.created', { code, sprintCode, title, description, type: 'feature', priority: 'MEDIUM', status: 'BACKLOG' });

// ---- sprint 1 (older): auth, migrations, rate limiting ----
ev('spr1', 0, 'sprint', 'SPR-1', 'orchestration.sprint.created', { code: 'SPR-1', title: 'Foundation', goal: 'Auth, database migrations and rate limiting', status: 'PLANNED' });
task('t1', 1, 'TSK-1', 'SPR-1', 'API key rotation', 'Rotate API keys without downtime');
task('t2', 1, 'TSK-2', 'SPR-1', 'Database migration runner', 'Run migrations under an advisory lock');
task('t3', 1, 'TSK-3', 'SPR-1', 'Rate limiter for agents', 'Token bucket per role, shared in Redis');
sess('s1start', 2, 'sess_TSK-1_1', 'orchestration.session.start', { template: 'default', phases: ['plan', 'implement', 'test'], agentId: 'agent-1', taskTitle: 'API key rotation' });
sess('s1plan', 3, 'sess_TSK-1_1', 'orchestration.phase.plan.start', { phase: 'plan' });
sess('s1n1', 4, 'sess_TSK-1_1', 'orchestration.session.note_added', { phase: 'plan', text: 'Keys are checked in apps/gateway/src/auth/api-keys.ts; rotation needs two valid keys at once' });
sess('s1n2', 5, 'sess_TSK-1_1', 'orchestration.session.note_added', { phase: 'implement', text: 'The test suite is flaky when Redis restarts' });
sess('s1c1', 6, 'sess_TSK-1_1', 'orchestration.session.commit_recorded', { phase: 'implement', hash: 'a1'.repeat(20), shortHash: 'a1a1a1a', message: 'feat(gateway): accept the previous key during rotation', author: 'agent-1' });
sess('s1over', 7, 'sess_TSK-1_1', 'orchestration.phase.override', { phase: 'test', to: 'review', reason: 'Integration tests need a staging Redis we do not have', missing: [{ kind: 'artifact', name: 'test-report.md', hint: '' }], skipped: ['test'] });
sess('s1end', 8, 'sess_TSK-1_1', 'orchestration.session.end', { status: 'COMPLETED', phase: 'review', forced: false, reason: null, activeMs: 3600000 });
sess('s2start', 10, 'sess_TSK-2_1', 'orchestration.session.start', { template: 'default', phases: ['plan', 'implement'], agentId: 'agent-2', taskTitle: 'Database migration runner' });
sess('s2n1', 11, 'sess_TSK-2_1', 'orchestration.session.note_added', { phase: 'implement', text: 'Migration 0042 adds the index concurrently' });
sess('s2n2', 12, 'sess_TSK-2_1', 'orchestration.session.note_added', { phase: 'implement', text: 'Running migrations twice must be a no-op' });
sess('s2n3', 13, 'sess_TSK-2_1', 'orchestration.session.note_added', { phase: 'implement', text: 'Timeout while waiting for the advisory lock in Postgres' });
sess('s2art', 14, 'sess_TSK-2_1', 'orchestration.session.artifact_registered', { phase: 'implement', name: 'libs/database/src/data-source.ts', sha256: 'b2'.repeat(32), size: 900, content: null, uri: null });
sess('s2susp', 15, 'sess_TSK-2_1', 'orchestration.session.suspended', { phase: 'implement', reason: 'agent lost: no heartbeat for 90 s', agentId: 'agent-2' });
sess('s2res', 20, 'sess_TSK-2_1', 'orchestration.session.resumed', { phase: 'implement', agentId: 'agent-3' });
sess('s2end', 22, 'sess_TSK-2_1', 'orchestration.session.end', { status: 'COMPLETED', phase: 'implement', forced: false, reason: null, activeMs: 7200000 });
sess('s3start', 24, 'sess_TSK-3_1', 'orchestration.session.start', { template: 'default', phases: ['plan', 'implement'], agentId: 'agent-1', taskTitle: 'Rate limiter for agents' });
sess('s3n1', 25, 'sess_TSK-3_1', 'orchestration.session.note_added', { phase: 'plan', text: 'The rate limiter uses a token bucket in a Lua script' });
sess('s3n2', 26, 'sess_TSK-3_1', 'orchestration.session.note_added', { phase: 'implement', text: 'Rate of requests per agent is limited; the limiter key expires' });
sess('s3n3', 27, 'sess_TSK-3_1', 'orchestration.session.note_added', { phase: 'implement', text: 'Timeout talking to Redis during the load test' });
sess('s3c1', 28, 'sess_TSK-3_1', 'orchestration.session.commit_recorded', { phase: 'implement', hash: 'c3'.repeat(20), shortHash: 'c3c3c3c', message: 'fix(gateway): rate limiter resets the bucket on deploy', author: 'agent-1' });
ev('b1', 29, 'bug', 'bug1', 'orchestration.bug.logged', { message: "TypeError: Cannot read properties of undefined (reading 'role')", errorClass: 'TypeError', template: "Cannot read properties of undefined (reading 'role')", file: 'apps/gateway/src/auth/auth.guard.ts', line: 41, stack: "TypeError: Cannot read properties of undefined (reading 'role')\n    at AuthGuard.canActivate (/repo/apps/gateway/src/auth/auth.guard.ts:41:17)", taskCode: 'TSK-3', sessionKey: 'sess_TSK-3_1' });
ev('b1res', 30, 'bug', 'bug1', 'orchestration.bug.resolved', { resolution: 'guard checks the key before reading the role' });
ev('t2done', 31, 'task', 'TSK-2', 'orchestration.task.status_updated', { from: 'IN_PROGRESS', to: 'DONE', reason: null });

// ---- sprint 2 (newer): CLI context, webhooks, search ----
ev('spr2', 200, 'sprint', 'SPR-2', 'orchestration.sprint.created', { code: 'SPR-2', title: 'Agents at work', goal: 'CLI context, webhook delivery and search', status: 'PLANNED' });
task('t4', 201, 'TSK-4', 'SPR-2', 'CLI current context', 'Keep the current task and session in ~/.orch/context.json');
task('t5', 201, 'TSK-5', 'SPR-2', 'Webhook delivery with retries', 'Signed deliveries with exponential backoff and dead letters');
sess('s4start', 202, 'sess_TSK-4_1', 'orchestration.session.start', { template: 'default', phases: ['plan', 'implement'], agentId: 'agent-4', taskTitle: 'CLI current context' });
sess('s4n1', 203, 'sess_TSK-4_1', 'orchestration.session.note_added', { phase: 'implement', text: 'The context is stored by apps/cli/src/context-store.ts with an atomic rename' });
sess('s4n2', 204, 'sess_TSK-4_1', 'orchestration.session.note_added', { phase: 'implement', text: 'The test suite is flaky when Redis restarts' });
sess('s4art', 205, 'sess_TSK-4_1', 'orchestration.session.artifact_registered', { phase: 'implement', name: 'apps/cli/src/commands/search.ts', sha256: 'd4'.repeat(32), size: 1200, content: null, uri: null });
sess('s4n3', 206, 'sess_TSK-4_1', 'orchestration.session.note_added', { phase: 'implement', text: 'Deployed the CLI to the agents; deployment notes in docs/cli.md' });
sess('s4over', 207, 'sess_TSK-4_1', 'orchestration.phase.override', { phase: 'implement', to: 'review', reason: 'Hotfix needed before the demo', missing: [{ kind: 'field', name: 'summary', hint: '' }], skipped: [] });
sess('s4end', 208, 'sess_TSK-4_1', 'orchestration.session.end', { status: 'COMPLETED', phase: 'review', forced: true, reason: 'demo', activeMs: 1800000 });
sess('s5start', 210, 'sess_TSK-5_1', 'orchestration.session.start', { template: 'default', phases: ['plan', 'implement', 'test'], agentId: 'agent-5', taskTitle: 'Webhook delivery with retries' });
sess('s5n1', 211, 'sess_TSK-5_1', 'orchestration.session.note_added', { phase: 'plan', text: 'Retries use exponential backoff with jitter, capped at one hour' });
sess('s5n2', 212, 'sess_TSK-5_1', 'orchestration.session.note_added', { phase: 'implement', text: 'Webhook signatures follow Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature' });
sess('s5n3', 213, 'sess_TSK-5_1', 'orchestration.session.note_added', { phase: 'implement', text: 'Timeout from the Slack endpoint, delivery retried' });
sess('s5n4', 214, 'sess_TSK-5_1', 'orchestration.session.note_added', { phase: 'implement', text: 'Migration adds the webhook_deliveries table' });
sess('s5c1', 215, 'sess_TSK-5_1', 'orchestration.session.commit_recorded', { phase: 'implement', hash: 'e5'.repeat(20), shortHash: 'e5e5e5e', message: 'feat(notifier): dead letters after the last attempt, in apps/notifier/src/deliveries/dead-letters.ts', author: 'agent-5' });
ev('b2', 216, 'bug', 'bug2', 'orchestration.bug.logged', { message: 'Error: ECONNREFUSED 127.0.0.1:6379', errorClass: 'Error', template: 'ECONNREFUSED <ip>:<port>', file: 'apps/notifier/src/deliveries/worker.ts', line: 77, stack: 'Error: ECONNREFUSED 127.0.0.1:6379\n    at Worker.run (/repo/apps/notifier/src/deliveries/worker.ts:77:9)', taskCode: 'TSK-5', sessionId: 'sess_TSK-5_1' });
ev('b1reg', 217, 'bug', 'bug1', 'orchestration.bug.regressed', { message: "TypeError: Cannot read properties of undefined (reading 'role')", file: 'apps/gateway/src/auth/auth.guard.ts', line: 44, taskCode: 'TSK-5', sessionKey: 'sess_TSK-5_1' });
sess('s5susp', 218, 'sess_TSK-5_1', 'orchestration.session.suspended', { phase: 'test', reason: 'agent lost: process exited with code 137', agentId: 'agent-5' });
ev('t5blocked', 219, 'task', 'TSK-5', 'orchestration.task.status_updated', { from: 'IN_PROGRESS', to: 'BLOCKED', reason: 'retries exhausted' });
sess('s6start', 220, 'sess_TSK-5_2', 'orchestration.session.start', { template: 'default', phases: ['test'], agentId: 'agent-6', taskTitle: 'Webhook delivery with retries' });
sess('s6n1', 221, 'sess_TSK-5_2', 'orchestration.session.note_added', { phase: 'test', text: 'Rate limit of the Slack API hit during the delivery test' });
sess('s6n2', 222, 'sess_TSK-5_2', 'orchestration.session.note_added', { phase: 'test', text: 'Redis timeout again, retry worked' });
sess('s6end', 223, 'sess_TSK-5_2', 'orchestration.session.end', { status: 'FAILED', phase: 'test', forced: true, reason: 'Slack rate limit', activeMs: 900000 });
ev('t5ready', 224, 'task', 'TSK-5', 'orchestration.task.status_updated', { from: 'BLOCKED', to: 'READY', reason: 'unblocked by hand' });

export const FIXTURE: readonly FixtureEvent[] = E;
export const FIXTURE_START = new Date('2026-10-01T00:00:00.000Z');
