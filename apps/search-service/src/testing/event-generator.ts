import type { EventEnvelope, StoredCommit } from '@orch/contracts';
import { mulberry32 } from '@orch/testing';

/**
 * A deterministic, realistic history for benchmarks and recall measurements: sprints of tasks,
 * several work sessions per task walking through phases with notes, progress, artifacts,
 * commits and bugs (stack traces, file paths), interleaved in time as a team would produce them.
 * Sizes: a task ≈ 500 events (scope-first), a sprint ≈ 25,000 and the project 1,000,000 (windowed).
 */
export interface GeneratorOptions {
  events: number;
  seed?: number;
  /** Time of the last event; the history spans `days` before it. */
  end?: Date;
  days?: number;
  tasksPerSprint?: number;
  sessionsPerTask?: number;
}

const PHASES = ['analysis', 'plan', 'implement', 'test', 'review'];
const APPS = ['cli', 'gateway', 'planner', 'session-service', 'bug-service', 'search-service', 'notifier', 'agent-manager'];
const DIRS = ['commands', 'read-model', 'http', 'auth', 'sessions', 'tasks', 'workflows', 'deliveries', 'projection', 'cache'];
const FILES = ['context-store', 'phase-machine', 'retry-policy', 'webhook-signer', 'rate-limiter', 'session-repository', 'task-facts', 'api-keys', 'problem-filter', 'instructions', 'estimates', 'heartbeat', 'scheduler', 'dead-letters', 'outbox'];
const TOPICS = ['migration', 'database', 'authentication', 'cache invalidation', 'webhook delivery', 'retry backoff', 'rate limiting', 'phase validation', 'session resume', 'agent heartbeat', 'task dependencies', 'sprint planning', 'pagination', 'error handling', 'logging', 'metrics', 'configuration', 'serialization', 'timeouts', 'concurrency'];
const VERBS = ['Refactored', 'Fixed', 'Added tests for', 'Investigated', 'Documented', 'Reviewed', 'Simplified', 'Optimised', 'Reverted', 'Implemented'];
const ERRORS = [
  ['TypeError', "Cannot read properties of undefined (reading '{field}')"],
  ['QueryFailedError', 'duplicate key value violates unique constraint "{field}_pkey"'],
  ['TimeoutError', 'request to {app} timed out after 5000 ms'],
  ['ValidationError', '{field} must be a positive integer'],
  ['Error', 'ECONNREFUSED 127.0.0.1:6379 while connecting to redis'],
  ['SyntaxError', 'Unexpected token } in JSON at position {n}'],
];
const FIELDS = ['email', 'status', 'sessionKey', 'estimate', 'priority', 'assignee', 'payload', 'version', 'deadline', 'capabilities'];
/** Words that appear in about one note in ten thousand: the benchmark's rare terms. */
export const RARE_WORDS = ['kubernetes', 'flamegraph', 'homoglyph', 'quaternion', 'zeroconf', 'backpressure'];

type Draft = { type: string; aggregateType: string; aggregateId: string; data: Record<string, unknown> };

export function* generateCommits(opts: GeneratorOptions): Generator<StoredCommit> {
  const rnd = mulberry32(opts.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const tasksPerSprint = opts.tasksPerSprint ?? 50;
  const sessionsPerTask = opts.sessionsPerTask ?? 4;
  const perSprint = tasksPerSprint * (6 + sessionsPerTask * 124);
  const sprints = Math.max(1, Math.ceil(opts.events / perSprint));
  const end = (opts.end ?? new Date('2026-11-01T00:00:00Z')).getTime();
  const span = (opts.days ?? 180) * 86_400_000;
  const step = span / opts.events;
  const versions = new Map<string, number>();
  let seq = 0;
  let emitted = 0;
  const path = () => `apps/${pick(APPS)}/src/${pick(DIRS)}/${pick(FILES)}.ts`;
  const sentence = () => {
    let s = `${pick(VERBS)} ${pick(TOPICS)} in ${path()}`;
    if (rnd() < 0.3) s += ` because ${pick(TOPICS)} broke the ${pick(FIELDS)} check`;
    if (rnd() < 0.0002) s += ` (see ${pick(RARE_WORDS)} notes)`;
    return s;
  };

  for (let sp = 1; sp <= sprints && emitted < opts.events; sp++) {
    const sprintCode = `SPR-${String(sp).padStart(3, '0')}`;
    const scripts: Draft[][] = [[{ type: 'orchestration.sprint.created', aggregateType: 'sprint', aggregateId: sprintCode, data: { code: sprintCode, title: `Sprint ${sp}: ${pick(TOPICS)}`, goal: `Ship ${pick(TOPICS)} and ${pick(TOPICS)}`, status: 'PLANNED' } }]];
    for (let t = 1; t <= tasksPerSprint; t++) {
      const taskCode = `TSK-${sp}-${String(t).padStart(3, '0')}`;
      const title = `${pick(VERBS)} ${pick(TOPICS)} for the ${pick(APPS)}`;
      const script: Draft[] = [
        { type: 'orchestration.task.created', aggregateType: 'task', aggregateId: taskCode, data: { code: taskCode, sprintCode, title, description: sentence(), type: 'feature', priority: pick(['LOW', 'MEDIUM', 'HIGH']), estimateMinutes: 60, requiredCapabilities: ['code_generation'], dependsOn: [], status: 'BACKLOG' } },
        { type: 'orchestration.task.status_updated', aggregateType: 'task', aggregateId: taskCode, data: { from: 'BACKLOG', to: 'READY', reason: null } },
      ];
      for (let s = 1; s <= sessionsPerTask; s++) {
        const sessionKey = `sess_${taskCode}_${s}`;
        const base = { sessionKey, taskCode, sprintCode };
        const ev = (type: string, data: Record<string, unknown>): Draft => ({ type, aggregateType: 'session', aggregateId: sessionKey, data: { ...base, ...data } });
        const agentId = `agent-${1 + Math.floor(rnd() * 12)}`;
        script.push(ev('orchestration.session.start', { template: 'default', phases: PHASES, agentId, taskTitle: title, estimateMinutes: 60 }));
        for (const phase of PHASES) {
          script.push(ev(`orchestration.phase.${phase}.start`, { phase }));
          for (let n = 0; n < 16; n++) script.push(ev('orchestration.session.note_added', { phase, text: sentence() }));
          for (let n = 0; n < 3; n++) script.push(ev('orchestration.session.progress_updated', { phase, text: `${pick(['Halfway through', 'Almost done with', 'Started'])} ${pick(TOPICS)}`, percent: Math.floor(rnd() * 100) }));
          script.push(ev('orchestration.session.artifact_registered', { phase, name: `${phase}.md`, sha256: 'ab'.repeat(32), size: 2048, content: null, uri: `file://${path()}` }));
          for (let n = 0; n < 2; n++) script.push(ev('orchestration.session.commit_recorded', { phase, hash: 'cd'.repeat(20), shortHash: 'cdcdcdc', message: `${pick(['fix', 'feat', 'test', 'refactor'])}(${pick(APPS)}): ${sentence()}`, author: agentId }));
          if (rnd() < 0.5) {
            const [errorClass, template] = pick(ERRORS);
            const file = path();
            const message = `${errorClass}: ${template!.replace('{field}', pick(FIELDS)).replace('{app}', pick(APPS)).replace('{n}', String(Math.floor(rnd() * 900)))}`;
            script.push({ type: 'orchestration.bug.logged', aggregateType: 'bug', aggregateId: `bug${Math.floor(rnd() * 1e12).toString(16)}`, data: { message, errorClass, template, category: 'runtime', file, line: Math.floor(rnd() * 400), stack: `${message}\n    at run (/repo/${file}:${Math.floor(rnd() * 400)}:7)\n    at process (/repo/${path()}:12:3)`, taskCode, sessionId: sessionKey, agentId } });
          }
          script.push(ev(`orchestration.phase.${phase}.end`, { phase, fields: { summary: sentence() } }));
        }
        script.push(ev('orchestration.session.end', { status: 'COMPLETED', phase: 'review', forced: false, reason: null, activeMs: 3_600_000, phaseDurations: {} }));
      }
      script.push({ type: 'orchestration.task.status_updated', aggregateType: 'task', aggregateId: taskCode, data: { from: 'IN_PROGRESS', to: 'DONE', reason: null } });
      scripts.push(script);
    }
    // Interleave the tasks of the sprint: several agents work at once.
    const cursors = scripts.map(() => 0);
    let open = scripts.map((_, i) => i);
    while (open.length > 0 && emitted < opts.events) {
      const i = open[Math.floor(rnd() * Math.min(open.length, 8))]!;
      const d = scripts[i]![cursors[i]!++]!;
      if (cursors[i] === scripts[i]!.length) open = open.filter((x) => x !== i);
      const version = (versions.get(d.aggregateId) ?? 0) + 1;
      versions.set(d.aggregateId, version);
      const occurredAt = new Date(end - span + emitted * step).toISOString();
      const event: EventEnvelope = { id: uuidFrom(rnd), type: d.type, aggregateType: d.aggregateType, aggregateId: d.aggregateId, version, occurredAt, actor: { kind: 'agent', id: 'agent-1' }, commandId: `c${seq + 1}`, correlationId: `c${seq + 1}`, causationId: null, schemaVersion: 1, data: d.data };
      emitted++;
      yield { seq: ++seq, subject: `orch.evt.${d.aggregateType}.${d.aggregateId}`, time: occurredAt, events: [event] };
    }
  }
}

function uuidFrom(rnd: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rnd() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}
