import { Client } from 'pg';
import { ensureDeadLetterStream, ensureEventStream } from '@orch/event-store';
import { TEST_DATABASE_URL } from '@orch/testing';
import { GatewayHarness } from './testing/gateway-harness';

/** `/api/v1/stats` and the gauges `/metrics` exports from the same figures. */
describe('what an operator sees of the log and its readers', () => {
  let h: GatewayHarness;
  let pg: Client;

  beforeAll(async () => {
    h = await GatewayHarness.start();
    const opts = { stream: h.nats.stream, subjects: h.nats.subjects, replicas: 1, duplicateWindowMs: 60_000 };
    await ensureEventStream(h.nats.jsm, opts);
    await ensureDeadLetterStream(h.nats.jsm, opts);
    pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await h?.close();
  });

  it('answers zeros, not an error, before anything was written or projected', async () => {
    const res = await h.fetch('/api/v1/stats', { key: 'dev-viewer-key' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ stream: { name: h.nats.stream, lastSeq: 0, messages: 0 }, projections: [], consumers: [], deadLetters: { messages: 0 } });
  });

  it('shows how far behind each projection is, the dead letters, and exports the same as gauges', async () => {
    for (let i = 0; i < 5; i++) await h.nats.js.publish(h.nats.subjects.aggregate('task', `TSK-${i}`), '{}');
    await h.nats.js.publish(`${h.nats.subjects.deadLetters('planner')}`, 'poison');
    const schema = h.gateway.config.DB_SCHEMA;
    await pg.query(`CREATE TABLE "${schema}".projection_checkpoints (name text PRIMARY KEY, position bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now())`);
    await pg.query(`INSERT INTO "${schema}".projection_checkpoints (name, position) VALUES ('planner', 2), ('bugs', 5)`);
    await new Promise((r) => setTimeout(r, 1_100)); // the figures are cached for a second

    const stats = (await (await h.fetch('/api/v1/stats', { key: 'dev-viewer-key' })).json()) as { stream: { lastSeq: number }; projections: Array<{ name: string; lag: number; owner: string }>; deadLetters: { messages: number } };
    expect(stats.stream.lastSeq).toBe(5);
    expect(stats.projections).toEqual([expect.objectContaining({ name: 'bugs', lag: 0, owner: 'bug-service' }), expect.objectContaining({ name: 'planner', lag: 3, owner: 'planner' })]);
    expect(stats.deadLetters.messages).toBe(1);

    const metrics = await (await h.fetch('/metrics', { key: 'dev-admin-key' })).text();
    expect(metrics).toMatch(/orch_projection_lag\{projection="planner"[^}]*\} 3/);
    expect(metrics).toMatch(/orch_stream_last_seq\{[^}]*\} 5/);
    expect(metrics).toMatch(/orch_dead_letters\{[^}]*\} 1/);
  });

  it('is 401 without a key', async () => {
    expect((await h.fetch('/api/v1/stats')).status).toBe(401);
  });
});
