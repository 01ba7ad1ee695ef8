import type { SearchScope } from '@orch/contracts';

/**
 * Judged queries over the relevance fixture (fixture.ts). Grades: 3 the event the query is
 * after, 2 relevant, 1 marginal; unlisted events are not relevant. `why` says what the query tests.
 */
export interface Judgment {
  q: string;
  scope: SearchScope;
  id?: string;
  grades: Record<string, number>;
  why: string;
}

export const JUDGMENTS: readonly Judgment[] = [
  { q: 'flaky test suite', scope: 'PROJECT', grades: { s4n2: 3, s1n2: 2 }, why: 'identical text twice: the newer one first' },
  { q: 'The test suite is flaky when Redis restarts', scope: 'PROJECT', grades: { s4n2: 3, s1n2: 2 }, why: 'a whole sentence, identical in two events: newer first' },
  { q: 'flaky', scope: 'SESSION', id: 'sess_TSK-1_1', grades: { s1n2: 3 }, why: 'the newer twin is in another session and must not leak in' },
  { q: 'migrations', scope: 'PROJECT', grades: { s5n4: 3, s2n1: 3, s2n2: 3, t2: 3, spr1: 2, s2start: 2 }, why: 'stemming: migrations finds migration' },
  { q: 'migration', scope: 'TASK', id: 'TSK-2', grades: { s2n1: 3, s2n2: 3, t2: 3, s2start: 2 }, why: 'task scope: the webhook migration of TSK-5 must not leak in' },
  { q: 'running migrations', scope: 'PROJECT', grades: { s2n2: 3, t2: 2 }, why: 'stemming of both words (running → run)' },
  { q: 'deployment', scope: 'PROJECT', grades: { s4n3: 3, s3c1: 2 }, why: 'stemming: deployment, deployed and deploy' },
  { q: '"rate limiter"', scope: 'PROJECT', grades: { s3n1: 3, t3: 3, s3c1: 3, s3start: 2, s6n1: 1, s6end: 1, s3n2: 1 }, why: 'a phrase beats the same words apart' },
  { q: 'timeout -redis', scope: 'PROJECT', grades: { s5n3: 3, s2n3: 3 }, why: 'negation drops the Redis timeouts' },
  { q: 'redis timeout', scope: 'PROJECT', grades: { s6n2: 3, s3n3: 3 }, why: 'both words, in either order' },
  { q: 'context-store.ts', scope: 'PROJECT', grades: { s4n1: 3 }, why: 'a file name inside a path' },
  { q: 'apps/cli/src/context-store.ts', scope: 'PROJECT', grades: { s4n1: 3 }, why: 'a full path' },
  { q: 'src/auth/api-keys.ts', scope: 'PROJECT', grades: { s1n1: 3 }, why: 'the tail of a path' },
  { q: 'auth.guard.ts', scope: 'PROJECT', grades: { b1: 3, b1reg: 3 }, why: 'a file named in a bug and in a stack trace' },
  { q: 'search.ts', scope: 'SPRINT', id: 'SPR-2', grades: { s4art: 3 }, why: 'an artifact by its file name, in a sprint' },
  { q: 'dead-letters.ts', scope: 'PROJECT', grades: { s5c1: 3 }, why: 'a hyphenated file name in a commit message' },
  { q: '"dead letters"', scope: 'PROJECT', grades: { s5c1: 3, t5: 3 }, why: 'a phrase across a description and a commit' },
  { q: 'phase override', scope: 'PROJECT', grades: { s4over: 3, s1over: 3 }, why: 'an event type in words' },
  { q: 'override', scope: 'TASK', id: 'TSK-1', grades: { s1over: 3 }, why: 'event type in a task; the other override is TSK-4' },
  { q: 'session suspended', scope: 'PROJECT', grades: { s5susp: 3, s2susp: 3 }, why: 'an event type in words' },
  { q: 'bug regressed', scope: 'PROJECT', grades: { b1reg: 3 }, why: 'an event type in words' },
  { q: 'orchestration.task.status_updated', scope: 'PROJECT', grades: { t5ready: 3, t5blocked: 3, t2done: 3 }, why: 'an exact event type' },
  { q: 'agent lost', scope: 'PROJECT', grades: { s5susp: 3, s2susp: 3 }, why: 'words of a suspension reason' },
  { q: 'webhook retries', scope: 'PROJECT', grades: { t5: 3, s5start: 2, s6start: 2 }, why: 'a task by its title words' },
  { q: 'exponential backoff', scope: 'PROJECT', grades: { s5n1: 3, t5: 2 }, why: 'a note above a description that mentions it' },
  { q: 'ECONNREFUSED', scope: 'PROJECT', grades: { b2: 3 }, why: 'an error code in a bug' },
  { q: 'ECONNREFUSED', scope: 'SESSION', id: 'sess_TSK-5_1', grades: { b2: 3 }, why: 'a bug lands in the session that reported it (its sessionId)' },
  { q: 'TypeError role', scope: 'PROJECT', grades: { b1reg: 3, b1: 3 }, why: 'an error class and a word of its message' },
  { q: 'keys rotation', scope: 'SPRINT', id: 'SPR-1', grades: { t1: 3, s1n1: 3, s1c1: 2, s1start: 2 }, why: 'sprint scope over its tasks’ sessions' },
  { q: 'slack', scope: 'SESSION', id: 'sess_TSK-5_2', grades: { s6n1: 3, s6end: 3 }, why: 'session scope: the first session of the task must not leak in' },
  { q: 'slack', scope: 'TASK', id: 'TSK-5', grades: { s6n1: 3, s6end: 3, s5n3: 3 }, why: 'task scope spans its sessions' },
  { q: 'advisory lock', scope: 'PROJECT', grades: { s2n3: 3, t2: 3 }, why: 'two words in a note and a description' },
  { q: 'token bucket', scope: 'PROJECT', grades: { s3n1: 3, t3: 3 }, why: 'words in a note and a description' },
  { q: 'hotfix demo', scope: 'PROJECT', grades: { s4over: 3 }, why: 'words of an override reason' },
  { q: 'blocked', scope: 'TASK', id: 'TSK-5', grades: { t5blocked: 3, t5ready: 2 }, why: 'a status in a task' },
  { q: 'heartbeat', scope: 'PROJECT', grades: { s2susp: 3 }, why: 'a word of a suspension reason' },
  { q: 'context', scope: 'SESSION', id: 'sess_TSK-4_1', grades: { s4n1: 3, s4start: 2 }, why: 'a note above the session start that names the task' },
  { q: 'staging', scope: 'PROJECT', grades: { s1over: 3 }, why: 'a word in an old override' },
  { q: 'the of and', scope: 'PROJECT', grades: {}, why: 'stop-words only: an empty answer' },
];
