import { request as httpRequest, type IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { CommitBody } from '@orch/contracts';
import { encodeCommit, ensureEventStream } from '@orch/event-store';
import { waitFor } from '@orch/testing';
import { GatewayHarness } from './testing/gateway-harness';
import { SseReader } from './testing/sse-reader';

const VIEWER = 'dev-viewer-key';

describe('GET /api/v1/events/stream follows the log live', () => {
  let h: GatewayHarness;
  let counter = 0;

  /** Appends one commit of `types.length` events on a task, the way a service would. */
  async function append(taskCode: string, types: string[], extra: Record<string, unknown> = {}): Promise<number> {
    const body: CommitBody = {
      events: types.map((type) => ({
        id: randomUUID(),
        type,
        aggregateType: 'task',
        aggregateId: taskCode,
        version: ++counter,
        occurredAt: new Date().toISOString(),
        actor: { kind: 'system', id: 'test' },
        commandId: randomUUID(),
        correlationId: 'c',
        causationId: null,
        schemaVersion: 1,
        data: { code: taskCode, ...extra },
      })),
    };
    const ack = await h.nats.js.publish(h.nats.subjects.aggregate('task', taskCode), encodeCommit(body));
    return ack.seq;
  }

  const open = (query = '', headers: Record<string, string> = {}) => h.fetch(`/api/v1/events/stream${query}`, { key: VIEWER, headers });
  const parsed = (m: { data: string }) => JSON.parse(m.data) as { seq: number; index: number; type: string; aggregateId: string; data: Record<string, unknown> };

  beforeAll(async () => {
    h = await GatewayHarness.start({ SSE_HEARTBEAT_MS: '200', SSE_MAX_BUFFER_BYTES: '2097152' });
    await ensureEventStream(h.nats.jsm, { stream: h.nats.stream, subjects: h.nats.subjects, replicas: 1, duplicateWindowMs: 60_000 });
  });
  afterAll(() => h.close());

  it('sends each new event with its stream sequence as id, and heartbeats while idle', async () => {
    const res = await open();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const sse = new SseReader(res);
    const one = await append('TSK-LIVE-1', ['orchestration.task.created']);
    const two = await append('TSK-LIVE-1', ['orchestration.task.updated', 'orchestration.task.status_updated']);
    const messages = await sse.take(3);
    expect(messages.map((m) => m.id)).toEqual([String(one), `${two}.0`, String(two)]);
    expect(messages.map((m) => m.event)).toEqual(['orchestration.task.created', 'orchestration.task.updated', 'orchestration.task.status_updated']);
    expect(parsed(messages[1]!)).toMatchObject({ seq: two, index: 0, aggregateId: 'TSK-LIVE-1' });
    await sse.comment('heartbeat', 3_000);
    await sse.cancel();
  });

  it('resumes after a dropped connection with Last-Event-ID: every event once, none missed', async () => {
    const first = new SseReader(await open('?taskCode=TSK-RESUME'));
    for (let i = 0; i < 3; i++) await append('TSK-RESUME', ['orchestration.task.updated']);
    const seen = await first.take(2);
    await first.cancel(); // the third event may or may not have arrived: the cursor decides
    for (let i = 0; i < 4; i++) await append('TSK-RESUME', ['orchestration.task.updated']);
    const second = new SseReader(await open('?taskCode=TSK-RESUME', { 'last-event-id': seen[1]!.id! }));
    const rest = await second.take(5);
    const seqs = [...seen, ...rest].map((m) => parsed(m).seq);
    expect(new Set(seqs).size).toBe(7);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await second.cancel();
  });

  it('resumes inside a multi-event commit at the next event of it', async () => {
    const seq = await append('TSK-SPLIT', ['orchestration.task.created', 'orchestration.task.updated', 'orchestration.task.status_updated']);
    const sse = new SseReader(await open('?taskCode=TSK-SPLIT', { 'last-event-id': `${seq}.0` }));
    const rest = await sse.take(2);
    expect(rest.map((m) => m.id)).toEqual([`${seq}.1`, String(seq)]);
    await sse.cancel();
  });

  it('filters by type globs and by scope', async () => {
    const sse = new SseReader(await open('?types=orchestration.task.status_updated,orchestration.bug.>&taskCode=TSK-F1'));
    await append('TSK-F2', ['orchestration.task.status_updated']);
    await append('TSK-F1', ['orchestration.task.updated']);
    const wanted = await append('TSK-F1', ['orchestration.task.status_updated']);
    const [message] = await sse.take(1);
    expect(message!.id).toBe(String(wanted));
    await sse.cancel();
  });

  it('skips garbage on the stream and keeps going', async () => {
    const sse = new SseReader(await open('?taskCode=TSK-GARBAGE'));
    await h.nats.js.publish(h.nats.subjects.aggregate('task', 'TSK-GARBAGE'), new TextEncoder().encode('not json {'));
    await h.nats.js.publish(h.nats.subjects.aggregate('task', 'TSK-GARBAGE'), new TextEncoder().encode(JSON.stringify({ events: [{ type: 42 }] })));
    const good = await append('TSK-GARBAGE', ['orchestration.task.updated']);
    const [message] = await sse.take(1);
    expect(message!.id).toBe(String(good));
    await sse.cancel();
  });

  it('drops a client that stops reading, while a reading client gets everything', async () => {
    const reader = new SseReader(await open('?taskCode=TSK-FLOOD'));
    const stalled = await stalledClient(h.gateway.url + '/api/v1/events/stream?taskCode=TSK-FLOOD');
    const big = 'x'.repeat(200_000);
    const reading = reader.take(60, 15_000);
    const seqs: number[] = [];
    for (let i = 0; i < 60; i++) seqs.push(await append('TSK-FLOOD', ['orchestration.task.updated'], { note: big }));
    const got = await reading;
    expect(got.map((m) => Number(m.id))).toEqual(seqs);
    await waitFor('the gateway to count a dropped client', async () => /orch_gateway_sse_dropped_total\{[^}]*\} [1-9]/.test(await (await h.fetch('/metrics', { key: 'dev-admin-key' })).text()), { timeoutMs: 10_000 });
    // Once it reads again, it finds its stream ended early: it must reconnect with Last-Event-ID.
    stalled.resume();
    await waitFor('the stalled client to reach the end of its cut stream', () => stalled.closed, { timeoutMs: 10_000 });
    expect(stalled.events()).toBeLessThan(60);
    await reader.cancel();
  });

  describe('bad input', () => {
    it.each<{ what: string; query: string; headers: Record<string, string>; path: string }>([
      { what: 'a Last-Event-ID that is not a sequence', query: '', headers: { 'last-event-id': 'abc' }, path: 'headers.last-event-id' },
      { what: 'a type that is not a glob', query: '?types=DROP TABLE', headers: {}, path: 'query.types' },
      { what: 'an unknown parameter', query: '?colour=red', headers: {}, path: 'query' },
      { what: 'a negative after', query: '?after=-1', headers: {}, path: 'query.after' },
    ])('is 400 for $what', async ({ query, headers, path }) => {
      const res = await open(query, headers);
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { errors: Array<{ path: string }> };
      expect(problem.errors.map((e) => e.path).join(' ')).toContain(path);
    });

    it('is 401 without a key', async () => {
      expect((await h.fetch('/api/v1/events/stream')).status).toBe(401);
    });
  });
});

/** A raw HTTP client that reads the headers and then never reads the body again. */
function stalledClient(url: string): Promise<{ closed: boolean; resume(): void; events(): number }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const state = { closed: false, resume: () => undefined as void, events: () => text.split('\nid: ').length - 1 };
    const req = httpRequest(url, { headers: { authorization: `Bearer ${VIEWER}` } }, (res: IncomingMessage) => {
      res.pause();
      res.setEncoding('utf8');
      res.socket.once('close', () => (state.closed = true));
      state.resume = () => {
        res.on('data', (chunk: string) => (text += chunk));
        res.on('error', () => undefined);
        res.resume();
      };
      resolve(state);
    });
    req.on('error', (e) => (state.closed ? undefined : reject(e)));
    req.end();
  });
}
