import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SystemUnderTest, waitFor } from '@orch/testing';

const CLI = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');

/**
 * `orch events --follow` as an operator uses it: a live, filtered tail of the log that survives the
 * gateway being killed (it reconnects with Last-Event-ID: nothing missed, nothing twice), and a
 * filter the gateway refuses ends it at once with the reason.
 */
describe('orch events --follow', () => {
  let system: SystemUnderTest;
  let follower: ChildProcess | undefined;
  let out = '';
  let err = '';

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner'] });
  }, 60_000);

  afterAll(async () => {
    follower?.kill('SIGKILL');
    await system?.stop();
  });

  const env = () => ({ ...process.env, ORCH_URL: system.url, ORCH_API_KEY: 'dev-viewer-key' });
  const printed = () =>
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string; type: string; aggregateId: string });
  const createTask = async (code: string) => expect((await system.fetch('/api/v1/tasks', { json: { code, title: `Follow ${code}` } })).status).toBe(201);

  it('prints matching events as they happen, and carries on across a gateway crash without gaps or repeats', async () => {
    follower = spawn(process.execPath, [CLI, 'events', '--follow', '--type', 'orchestration.task.*', '--json'], { env: env() });
    follower.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    follower.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    // The stream is live once the first event arrives; keep creating until it does.
    expect((await system.fetch('/api/v1/sprints', { json: { code: 'SPR-F', title: 'Not a task event' } })).status).toBe(201);
    let n = 0;
    await waitFor('the first task event on the tail', async () => {
      await createTask(`TSK-F${++n}`);
      return printed().length > 0;
    }, { timeoutMs: 15_000, intervalMs: 300 });
    await createTask('TSK-BEFORE');
    await waitFor('TSK-BEFORE on the tail', () => printed().some((e) => e.aggregateId === 'TSK-BEFORE'));

    await system.kill('gateway');
    system.spawn('gateway');
    await system.waitReady();
    await createTask('TSK-AFTER');
    await waitFor('TSK-AFTER on the tail after the reconnect', () => printed().some((e) => e.aggregateId === 'TSK-AFTER'), { timeoutMs: 20_000 });

    const events = printed();
    expect(events.every((e) => e.type.startsWith('orchestration.task.'))).toBe(true); // the sprint was filtered out
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length); // nothing twice
    const seqs = ids.map((id) => Number(id.split('.')[0]));
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs); // in log order
    expect(events.map((e) => e.aggregateId)).toEqual(expect.arrayContaining(['TSK-BEFORE', 'TSK-AFTER']));
    expect(err).toContain('event stream ended; resuming after');
  }, 60_000);

  it('ends at once with the reason when the gateway refuses the filter', () => {
    const r = spawnSync(process.execPath, [CLI, 'events', '--follow', '--type', 'DROP TABLE'], { env: env(), encoding: 'utf8', timeout: 15_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('types');
  });
});
