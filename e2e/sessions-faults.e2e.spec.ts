import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { Subjects } from '@orch/contracts';
import { EventStore } from '@orch/event-store';
import { SystemUnderTest, TEST_NATS_URL, waitFor } from '@orch/testing';

const json = (res: Response): Promise<any> => res.json();

/**
 * The session service SIGKILLed in the middle of a stream of notes: no acknowledged note is lost,
 * and after a restart `orchestration_sessions` converges to what the log holds.
 */
describe('the session service killed mid-load', () => {
  let system: SystemUnderTest;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'session-service'] });
  }, 60_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('loses no acknowledged command and converges after a restart', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 5; i++) {
      expect((await system.fetch('/api/v1/tasks', { json: { code: `TSK-F${i}`, title: `Fault ${i}` } })).status).toBe(201);
      keys.push((await json(await system.fetch('/api/v1/sessions', { json: { taskCode: `TSK-F${i}` } }))).session.sessionKey);
    }
    const acknowledged = new Map<string, number>(keys.map((k) => [k, 0]));
    let sent = 0;
    let refused = 0;
    let acknowledgedAfterRestart = 0;
    let restarted = false;
    let stopping = false;
    // The writers run until the test has seen each phase (before the kill, during the outage, after
    // the restart), not for a fixed count: on a loaded machine a restart can outlast any count.
    const writer = async (w: number) => {
      for (let n = 0; !stopping; n++) {
        const key = keys[(w + n) % keys.length]!;
        sent++;
        const res = await system.fetch(`/api/v1/sessions/${key}/notes`, { json: { text: `note ${w}-${n}` } }).catch(() => null);
        if (res?.status === 201) {
          acknowledged.set(key, acknowledged.get(key)! + 1);
          if (restarted) acknowledgedAfterRestart++;
        } else refused++;
        await res?.text();
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(writer));
    const total = () => [...acknowledged.values()].reduce((a, b) => a + b, 0);
    try {
      await waitFor('some notes to be acknowledged', () => total() >= 30);
      await system.kill('session-service');
      await waitFor('some notes to meet the outage', () => refused >= 5);
      restarted = true;
      system.spawn('session-service');
      await waitFor('notes to be acknowledged after the restart', () => acknowledgedAfterRestart >= 10, { timeoutMs: 90_000 });
    } finally {
      stopping = true;
      await load;
    }
    await system.waitReady();
    expect(total()).toBeLessThan(sent); // some notes met the outage (503) …
    expect(acknowledgedAfterRestart).toBeGreaterThanOrEqual(10); // … and the restarted service took more

    const nc = await connect({ servers: TEST_NATS_URL });
    const pg = new Client({ connectionString: system.iso.env.DATABASE_URL });
    await pg.connect();
    try {
      const store = new EventStore(jetstream(nc), await jetstreamManager(nc), system.iso.env.NATS_STREAM!);
      const subjects = new Subjects(system.iso.env.NATS_SUBJECT_PREFIX!);
      const inLog = new Map<string, number>();
      for (const key of keys) {
        const commits = await store.readSubject(subjects.aggregate('session', key));
        inLog.set(key, commits.flatMap((c) => c.events).filter((e) => e.type === 'orchestration.session.note_added').length);
        expect(inLog.get(key)).toBeGreaterThanOrEqual(acknowledged.get(key)!); // nothing acknowledged is lost
      }
      await waitFor('orchestration_sessions to match the log', async () => {
        const { rows } = await pg.query(`SELECT session_key, (metadata->>'notes')::int AS notes FROM "${system.iso.env.DB_SCHEMA}".orchestration_sessions`);
        return rows.length === keys.length && rows.every((r: { session_key: string; notes: number }) => r.notes === inLog.get(r.session_key));
      }, { timeoutMs: 20_000 });
    } finally {
      await pg.end();
      await nc.close();
    }
  }, 120_000);
});
