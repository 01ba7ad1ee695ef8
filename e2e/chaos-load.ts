import { createHash, randomBytes } from 'node:crypto';

/**
 * The chaos suite's client: a steady mix of writes through the gateway, as an agent would send
 * them. Every write carries an Idempotency-Key and is retried with the same key on a network
 * error or a 503 (bounded), and its outcome is recorded for the final check against the log.
 */
export type Outcome = 'acknowledged' | 'noWrite' | 'cleanFailure' | 'refused' | 'serverError';

export interface Sent {
  op: string;
  key: string;
  /** What the gateway makes of the key (apps/gateway/src/http/headers.ts commandIdFor). */
  commandId: string;
  outcome: Outcome;
  status?: number;
  code?: string;
  seq?: number;
  attempts: number;
  /** The command must be in the log when acknowledged (some answers are no-ops: an existing session, a heartbeat). */
  mustWrite?: boolean;
}

/** The development admin key's id, which scopes its idempotency keys. */
const KEY_ID = 'dev-admin';
export const commandIdOf = (key: string) => `idem-${createHash('sha256').update(`${KEY_ID}\n${key}`).digest('hex').slice(0, 40)}`;

const MAX_ATTEMPTS = 8;
const TIMEOUT_MS = 10_000;
const NEXT: Record<string, string[]> = {
  BACKLOG: ['READY', 'BLOCKED'],
  READY: ['IN_PROGRESS', 'BACKLOG', 'BLOCKED'],
  ASSIGNED: ['IN_PROGRESS', 'READY'],
  IN_PROGRESS: ['READY', 'BLOCKED', 'FAILED'],
  BLOCKED: ['READY', 'BACKLOG'],
  FAILED: ['READY', 'BACKLOG'],
};

export class ChaosLoad {
  readonly sent: Sent[] = [];
  readonly retriesAfter = { network: 0, unavailable: 0 };
  private readonly run = randomBytes(3).toString('hex');
  private n = 0;
  private stopping = false;
  private readonly sprints: string[] = [];
  private readonly tasks: string[] = [];
  private readonly sessions: string[] = [];
  private readonly agents: string[] = [];

  constructor(
    private readonly baseUrl: () => string,
    private readonly routes: { sessions: boolean; agents: boolean },
  ) {}

  /** `workers` loops until stop(); resolves when all have finished their current request. */
  start(workers: number): Promise<void> {
    return Promise.all(Array.from({ length: workers }, (_, w) => this.worker(w))).then(() => undefined);
  }

  stop(): void {
    this.stopping = true;
  }

  count(outcome: Outcome): number {
    return this.sent.filter((s) => s.outcome === outcome).length;
  }

  private async worker(w: number): Promise<void> {
    while (!this.stopping) {
      const ops: Array<() => Promise<unknown>> = [() => this.createTask(), () => this.createTask(), () => this.moveTask(), () => this.moveTask(), () => this.logBug()];
      if (this.sprints.length < 3 + w) ops.push(() => this.createSprint());
      if (this.routes.sessions) ops.push(() => this.startSession(), () => this.note(), () => this.phaseComplete());
      if (this.routes.agents) ops.push(() => this.registerAgent(), () => this.heartbeat());
      await ops[Math.floor(Math.random() * ops.length)]!();
    }
  }

  private id(): string {
    return `${this.run}${(++this.n).toString(36).toUpperCase()}`;
  }

  private async createSprint() {
    const code = `SPR-C${this.id()}`;
    const s = await this.write('sprint.create', 'POST', '/api/v1/sprints', { code, title: `Chaos sprint ${code}` });
    if (s.outcome === 'acknowledged') this.sprints.push(code);
  }

  private async createTask(): Promise<void> {
    const code = `TSK-C${this.id()}`;
    const sprintCode = pick(this.sprints);
    const s = await this.write('task.create', 'POST', '/api/v1/tasks', { code, title: `Chaos task ${code}`, ...(sprintCode ? { sprintCode } : {}) });
    if (s.outcome === 'acknowledged') this.tasks.push(code);
  }

  /** A status move that names the version it saw: a lost race is a 412/409, never a lost update. */
  private async moveTask() {
    const code = pick(this.tasks);
    if (!code) return this.createTask();
    const res = await this.read(`/api/v1/tasks/${code}`);
    if (!res?.ok) return;
    const task = (await res.json()) as { status: string };
    const to = pick(NEXT[task.status] ?? []);
    if (!to) return;
    await this.write('task.move', 'PATCH', `/api/v1/tasks/${code}`, { status: to }, { 'if-match': res.headers.get('etag') ?? '*' });
  }

  private async logBug() {
    const kind = Math.floor(Math.random() * 12);
    await this.write('bug.log', 'POST', '/api/v1/bugs', { message: `ChaosError: queue ${kind} overflowed after ${Math.floor(Math.random() * 1000)} items`, errorType: 'ChaosError', ...(this.tasks.length ? { taskCode: pick(this.tasks) } : {}) });
  }

  private async startSession(): Promise<void> {
    const taskCode = pick(this.tasks);
    if (!taskCode) return this.createTask();
    const s = await this.write('session.start', 'POST', '/api/v1/sessions', { taskCode });
    // Starting a task that already has an ACTIVE session answers that one and writes nothing.
    if (s.outcome === 'acknowledged' || s.outcome === 'noWrite') s.record.mustWrite = s.body?.outcome !== 'existing';
    if (s.body?.session?.sessionKey) this.sessions.push(s.body.session.sessionKey);
  }

  private async note() {
    const key = pick(this.sessions);
    if (!key) return this.startSession();
    await this.write('session.note', 'POST', `/api/v1/sessions/${key}/notes`, { text: `chaos note ${this.id()}` });
  }

  private async phaseComplete() {
    const key = pick(this.sessions);
    if (!key) return this.startSession();
    await this.write('session.phase', 'POST', `/api/v1/sessions/${key}/phase-complete`, { override: true, reason: 'chaos load' });
  }

  private async registerAgent(): Promise<void> {
    if (this.agents.length >= 8) return this.heartbeat();
    const s = await this.write('agent.register', 'POST', '/api/v1/agents', { name: `chaos-${this.id()}`, type: 'researcher' });
    if (s.outcome === 'acknowledged' && s.body?.agent?.id) this.agents.push(s.body.agent.id);
  }

  private async heartbeat(): Promise<void> {
    const id = pick(this.agents);
    if (!id) return this.registerAgent();
    await this.write('agent.heartbeat', 'POST', `/api/v1/agents/${id}/heartbeat`, { load: Math.floor(Math.random() * 3) });
  }

  private async read(path: string): Promise<Response | null> {
    return fetch(this.baseUrl() + path, { headers: { authorization: 'Bearer dev-admin-key' }, signal: AbortSignal.timeout(TIMEOUT_MS) }).catch(() => null);
  }

  /** One write, retried with the same key until it gets an answer that is not "try again". */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private async write(op: string, method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Sent & { body?: any; record: Sent }> {
    const key = `chaos-${this.id()}`;
    const sent: Sent = { op, key, commandId: commandIdOf(key), outcome: 'cleanFailure', attempts: 0, mustWrite: op !== 'agent.heartbeat' };
    this.sent.push(sent);
    for (let delay = 100; sent.attempts < MAX_ATTEMPTS; delay = Math.min(delay * 2, 2_000)) {
      sent.attempts++;
      let res: Response;
      try {
        res = await fetch(this.baseUrl() + path, {
          method,
          headers: { authorization: 'Bearer dev-admin-key', 'content-type': 'application/json', 'idempotency-key': key, ...headers },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch {
        this.retriesAfter.network++;
        await sleep(delay);
        continue;
      }
      sent.status = res.status;
      const answer = (await res.json().catch(() => null)) as { code?: string } | null;
      if (res.status === 503 || res.status === 502 || res.status === 504) {
        this.retriesAfter.unavailable++;
        await sleep(delay);
        continue;
      }
      if (res.ok) {
        const seq = res.headers.get('x-orch-seq');
        sent.outcome = seq ? 'acknowledged' : 'noWrite';
        if (seq) sent.seq = Number(seq);
      } else {
        sent.outcome = res.status >= 500 ? 'serverError' : 'refused';
        sent.code = answer?.code;
      }
      return { ...sent, body: answer, record: sent };
    }
    return { ...sent, record: sent };
  }
}

function pick<T>(items: T[]): T | undefined {
  return items.length ? items[Math.floor(Math.random() * items.length)] : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
