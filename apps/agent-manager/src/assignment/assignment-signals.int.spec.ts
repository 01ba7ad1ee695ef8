import type { Assignment } from '@orch/contracts';
import { startService, type RunningService } from '@orch/service-kit';
import { isolatedEnv, type IsolatedEnv } from '@orch/testing';
import { agentManagerSpec } from '../app.module';
import { AssignmentSignals } from './assignment-signals';

const assignment = (taskCode: string): Assignment => ({
  taskCode,
  sprintCode: null,
  title: taskCode,
  type: 'feature',
  requiredCapabilities: [],
  assignedAt: new Date().toISOString(),
  resumed: false,
  status: 'ASSIGNED',
});

/** Long-poll wake-ups between two agent-manager instances over real NATS. */
describe('assignment signals (two instances, real NATS)', () => {
  let iso: IsolatedEnv;
  let a: RunningService;
  let b: RunningService;
  const signals = (s: RunningService) => s.app.get(AssignmentSignals);

  beforeAll(async () => {
    iso = isolatedEnv({ AGENT_AUTO_ASSIGN: 'off' });
    a = await startService(agentManagerSpec(iso.env), iso.env);
    b = await startService(agentManagerSpec(iso.env), iso.env);
  }, 30_000);

  afterAll(async () => {
    await b?.close();
    await a?.close();
    await iso?.cleanup();
  });

  it('wakes a poll held by the other instance with the assignment', async () => {
    const waiting = signals(b).wait('coder-aaaaaaaaaaaa', 5_000);
    signals(a).assigned('coder-aaaaaaaaaaaa', assignment('TSK-S1'));
    await expect(waiting).resolves.toMatchObject({ taskCode: 'TSK-S1' });
  });

  it('wakes its own polls at once, and its echo through NATS does not wake the next poll with the same task', async () => {
    const first = signals(a).wait('coder-bbbbbbbbbbbb', 5_000);
    signals(a).assigned('coder-bbbbbbbbbbbb', assignment('TSK-S2'));
    const next = signals(a).wait('coder-bbbbbbbbbbbb', 300); // registered before the echo comes back
    await expect(first).resolves.toMatchObject({ taskCode: 'TSK-S2' });
    await expect(next).resolves.toBeNull(); // timed out: the task is not offered twice
  });

  it('wakes a poll with nothing on garbage, so that it reads the log instead', async () => {
    const waiting = signals(b).wait('coder-cccccccccccc', 5_000);
    a.infra.nc.publish(a.infra.subjects.control('agent-manager', 'assigned.coder-cccccccccccc'), '{"from": 1, "assignment": "nope"');
    await expect(waiting).resolves.toBeNull();
    const after = signals(b).wait('coder-cccccccccccc', 5_000);
    signals(a).assigned('coder-cccccccccccc', assignment('TSK-S3')); // and the subscription still works
    await expect(after).resolves.toMatchObject({ taskCode: 'TSK-S3' });
  });
});
