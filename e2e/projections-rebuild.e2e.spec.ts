import { PROJECTION_OWNERS } from '@orch/contracts';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { SystemUnderTest, TEST_DATABASE_URL } from '@orch/testing';

/** `npm run projections:rebuild -- <name>`, against a running system and against a stopped one. */
describe('rebuilding a read model from the log', () => {
  let system: SystemUnderTest;
  let pg: Client;
  const rebuild = (name: string) =>
    spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'tools', 'projections-rebuild.js'), name], { env: system.iso.env, encoding: 'utf8', timeout: 60_000 });
  const tasks = async () => (await pg.query(`SELECT task_code, title, status, version FROM "${system.iso.env.DB_SCHEMA}".orchestration_tasks ORDER BY task_code`)).rows;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['planner', 'search-service'] });
    pg = new Client({ connectionString: TEST_DATABASE_URL });
    await pg.connect();
    await system.fetch('/api/v1/sprints', { json: { code: 'SPR-RB', title: 'Rebuild' } });
    for (let i = 1; i <= 5; i++) await system.fetch('/api/v1/tasks', { json: { code: `TSK-RB${i}`, sprintCode: 'SPR-RB', title: `Task ${i}` } });
    const moved = await system.fetch('/api/v1/tasks/TSK-RB3', { method: 'PATCH', json: { status: 'READY' } });
    await system.fetch('/api/v1/tasks?sprint=SPR-RB', { headers: { 'x-orch-min-seq': moved.headers.get('x-orch-seq')! } });
  }, 60_000);

  afterAll(async () => {
    await pg?.end();
    await system?.stop();
  });

  it('rebuilds live: the running service that holds the projection replays the log into it', async () => {
    const before = await tasks();
    await pg.query(`UPDATE "${system.iso.env.DB_SCHEMA}".orchestration_tasks SET title = 'damaged'`);
    const result = rebuild('planner');
    expect(result.stdout).toContain('Rebuilt planner live');
    expect(result.status).toBe(0);
    expect(await tasks()).toEqual(before);
  });

  it('rebuilds offline when no service holds it, starting the owner once in rebuild mode', async () => {
    const before = await tasks();
    await system.kill('planner', 'SIGTERM');
    await pg.query(`DELETE FROM "${system.iso.env.DB_SCHEMA}".orchestration_tasks`);
    const result = rebuild('planner');
    expect(result.stdout).toContain('rebuilding offline');
    expect(result.status).toBe(0);
    expect(await tasks()).toEqual(before);
  });

  it('refuses an unknown projection name, listing the real ones', () => {
    const result = rebuild('nope');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`projections: ${Object.keys(PROJECTION_OWNERS).join(', ')}`);
  });
});
