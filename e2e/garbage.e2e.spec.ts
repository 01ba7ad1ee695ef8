import { randomBytes, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Subjects } from '@orch/contracts';
import { SystemUnderTest, TEST_NATS_URL, waitFor } from '@orch/testing';

/**
 * SPEC §9 and issue 10 item 4, against the running system: garbage published straight onto the
 * event subjects (not JSON, not a commit, a commit whose events do not fit their type, and
 * messages as large as the server allows) while the projections run. Each goes to the dead
 * letters, is counted in /stats and /metrics, and no consumer stalls: a good command sent after
 * all of it is projected.
 */
const TYPES = ['task', 'sprint', 'bug', 'session', 'agent', 'plan', 'workflow', 'webhook'];

describe('garbage on the event stream, at scale', () => {
  let system: SystemUnderTest;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let subjects: Subjects;
  const stream = () => system.iso.env.NATS_STREAM!;

  beforeAll(async () => {
    system = await SystemUnderTest.start();
    nc = await connect({ servers: TEST_NATS_URL });
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    subjects = new Subjects(system.iso.env.NATS_SUBJECT_PREFIX!);
  }, 90_000);

  afterAll(async () => {
    await nc?.close();
    await system?.stop();
  });

  /** A commit whose envelope is fine but whose event data is not what its type says. */
  const misfit = (type: string, id: string) =>
    JSON.stringify({ events: [{ id: randomUUID(), type: `orchestration.${type}.created`, aggregateType: type, aggregateId: id, version: 1, occurredAt: new Date().toISOString(), actor: { kind: 'system', id: 'fuzz' }, commandId: randomUUID(), correlationId: 'garbage', causationId: null, schemaVersion: 1, data: { code: 42, title: ['not', 'a', 'title'] } }] });

  it('dead-letters every kind of garbage, counts it, and keeps projecting', async () => {
    const maxPayload = nc.info!.max_payload;
    const garbage: Array<{ kind: string; subject: string; body: string | Uint8Array }> = [];
    for (let i = 0; i < 200; i++) {
      const type = TYPES[i % TYPES.length]!;
      const subject = subjects.aggregate(type, `GARBAGE-${i}`);
      const kind = ['binary', 'text', 'json-not-commit', 'envelope-broken', 'misfit'][i % 5]!;
      const body =
        kind === 'binary' ? randomBytes(64 + (i % 300))
        : kind === 'text' ? `not json ${'{'.repeat(i % 7)} ${i}`
        : kind === 'json-not-commit' ? JSON.stringify({ hello: 'world', i })
        : kind === 'envelope-broken' ? JSON.stringify({ events: [{ type: 'nope', aggregateId: 'a.b.>' }] })
        : misfit(type, `GARBAGE-${i}`);
      garbage.push({ kind, subject, body });
    }
    // As large as the server accepts: its dead letter, which adds headers, must still fit.
    for (const type of ['task', 'bug']) {
      garbage.push({ kind: 'huge-text', subject: subjects.aggregate(type, 'GARBAGE-HUGE'), body: 'x'.repeat(maxPayload) });
      garbage.push({ kind: 'huge-json', subject: subjects.aggregate(type, 'GARBAGE-HUGE-JSON'), body: JSON.stringify({ events: [{ note: 'y'.repeat(maxPayload - 1024) }] }) });
    }

    const sprint = await system.fetch('/api/v1/sprints', { json: { code: 'SPR-GARB', title: 'Before the garbage' } });
    expect(sprint.status).toBe(201);
    const garbageSeqs: number[] = [];
    for (const g of garbage) garbageSeqs.push((await js.publish(g.subject, g.body)).seq);

    // A good command after all of it: every projection gets past the garbage to it.
    const task = await system.fetch('/api/v1/tasks', { json: { code: 'TSK-AFTER-GARBAGE', sprintCode: 'SPR-GARB', title: 'After the garbage' } });
    expect(task.status).toBe(201);
    const seq = task.headers.get('x-orch-seq')!;
    expect(Number(seq)).toBeGreaterThan(Math.max(...garbageSeqs));
    // Dead-lettering takes a few retries per misfit commit, so this may take longer than one
    // read-your-writes wait: poll until the planner's read model has it.
    const read = await waitFor('the task after the garbage to be projected', async () => {
      const res = await system.fetch('/api/v1/tasks/TSK-AFTER-GARBAGE', { headers: { 'x-orch-min-seq': seq } });
      return res.status === 200 ? res.json() : undefined;
    }, { timeoutMs: 90_000, intervalMs: 250 });
    expect(read).toMatchObject({ code: 'TSK-AFTER-GARBAGE', sprintCode: 'SPR-GARB' });

    const stats = await waitFor(
      'every projection to reach the end of the log',
      async () => {
        const s = (await (await system.fetch('/api/v1/stats')).json()) as { stream: { lastSeq: number }; projections: Array<{ name: string; lag: number }>; deadLetters: { messages: number } };
        return s.projections.length > 0 && s.projections.every((p) => p.lag === 0) && s.stream.lastSeq >= Number(seq) ? s : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );

    // Every piece of garbage was dead-lettered by some projection, with why; the counts agree.
    const sources = new Map<number, string[]>();
    const dlq = `${stream()}_DLQ`;
    const info = await jsm.streams.info(dlq);
    for (let s = info.state.first_seq; s <= info.state.last_seq; s++) {
      const m = await jsm.streams.getMessage(dlq, { seq: s });
      const source = Number(m!.header.get('Orch-Dlq-Source-Seq'));
      sources.set(source, [...(sources.get(source) ?? []), m!.header.get('Orch-Dlq-Reason')]);
    }
    const missing = garbage.filter((_, i) => !sources.has(garbageSeqs[i]!)).map((g) => `${g.kind} on ${g.subject}`);
    expect(missing).toEqual([]);
    expect(stats.deadLetters.messages).toBe(info.state.messages);
    expect(info.state.messages).toBeGreaterThanOrEqual(garbage.length);
    const metrics = await (await system.fetch('/metrics')).text();
    expect(metrics).toMatch(new RegExp(`orch_dead_letters\\{[^}]*\\} ${info.state.messages}\\b`));
    process.stdout.write(`garbage: ${garbage.length} messages (max_payload ${maxPayload}), ${info.state.messages} dead letters, every projection caught up to ${stats.stream.lastSeq}\n`);
  }, 180_000);
});
