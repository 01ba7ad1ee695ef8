import type { AgentEvent } from '@orch/contracts';
import { ConflictError, NotFoundError } from '@orch/errors';
import { deciderSpec } from '@orch/testing';
import { decide, evolve, initialState, type AgentCommand, type Registration } from './agent';

const spec = deciderSpec<ReturnType<typeof initialState>, AgentEvent, AgentCommand>({ initialState, evolve, decide });
const ID = 'coder-1';
const registration: Registration = {
  name: 'Coder one', type: 'coder', capabilities: ['code_generation', 'testing'], unknownCapabilities: [], maxLoad: 2, priority: 60, permission: 'limited', costPerHour: 6,
};
const registered: AgentEvent = { type: 'orchestration.agent.registered', data: { agentId: ID, ...registration } };
const held = (taskCode: string) => ({ taskCode, sprintCode: 'SPR-1', title: `Do ${taskCode}`, cost: 6, resumed: false });
const assigned = (taskCode: string): AgentEvent => ({ type: 'orchestration.agent.task_assigned', data: { agentId: ID, ...held(taskCode) } });
const stale: AgentEvent = { type: 'orchestration.agent.stale', data: { agentId: ID, lastHeartbeatAt: null } };
const lost = (taskCodes: string[]): AgentEvent => ({ type: 'orchestration.agent.lost', data: { agentId: ID, name: 'Coder one', type: 'coder', taskCodes } });
const assign = (taskCode: string): AgentCommand => ({ type: 'AssignTask', id: ID, task: held(taskCode) });

describe('an agent', () => {
  describe('when never registered', () => {
    it('registers with its type defaults', () => spec.given([]).when({ type: 'RegisterAgent', id: ID, registration }).then([registered]));
    it('takes no heartbeat recovery, assignment or termination', () => {
      spec.given([]).when(assign('TSK-1')).thenThrows(NotFoundError, 'AGENT.NOT_FOUND');
      spec.given([]).when({ type: 'Terminate', id: ID, reason: null }).thenThrows(NotFoundError, 'AGENT.NOT_FOUND');
    });
  });

  describe('when IDLE', () => {
    it('cannot be registered twice', () => {
    spec.given([registered]).when({ type: 'RegisterAgent', id: ID, registration }).thenThrows(ConflictError, 'AGENT.EXISTS');
  });
    it('takes a task', () => spec.given([registered]).when(assign('TSK-1')).then([assigned('TSK-1')]));
    it('goes STALE when silent, and a recovery is a no-op', () => {
      spec.given([registered]).when({ type: 'MarkStale', id: ID, lastHeartbeatAt: null }).then([stale]);
      spec.given([registered]).when({ type: 'Recover', id: ID }).then([]);
    });
  });

  describe('when holding tasks', () => {
    it('takes the same task twice as one (a retried assignment)', () => spec.given([registered, assigned('TSK-1')]).when(assign('TSK-1')).then([]));
    it('refuses a task past maxLoad', () => {
    spec.given([registered, assigned('TSK-1'), assigned('TSK-2')]).when(assign('TSK-3')).thenThrows(ConflictError, 'AGENT.FULL');
  });
    it('releases a task it holds, and ignores one it does not', () => {
      spec.given([registered, assigned('TSK-1')]).when({ type: 'ReleaseTask', id: ID, taskCode: 'TSK-1', reason: 'task is DONE' })
        .then([{ type: 'orchestration.agent.task_released', data: { agentId: ID, taskCode: 'TSK-1', reason: 'task is DONE' } }]);
      spec.given([registered, assigned('TSK-1')]).when({ type: 'ReleaseTask', id: ID, taskCode: 'TSK-9', reason: 'x' }).then([]);
    });
    it('is lost with the tasks it held, once', () => {
      spec.given([registered, assigned('TSK-1'), stale]).when({ type: 'MarkLost', id: ID }).then([lost(['TSK-1'])]);
      spec.given([registered, assigned('TSK-1'), stale, lost(['TSK-1'])]).when({ type: 'MarkLost', id: ID }).then([]);
    });
    it('hands its tasks over when terminated', () => {
      spec.given([registered, assigned('TSK-1')]).when({ type: 'Terminate', id: ID, reason: 'done' })
        .then([{ type: 'orchestration.agent.terminated', data: { agentId: ID, reason: 'done', taskCodes: ['TSK-1'] } }]);
    });
  });

  describe('when STALE or LOST', () => {
    it('takes no work', () => {
    spec.given([registered, stale]).when(assign('TSK-1')).thenThrows(ConflictError, 'AGENT.UNAVAILABLE');
  });
    it('recovers on a heartbeat', () => {
      spec.given([registered, stale]).when({ type: 'Recover', id: ID }).then([{ type: 'orchestration.agent.recovered', data: { agentId: ID, from: 'STALE' } }]);
      spec.given([registered, stale, lost([])]).when({ type: 'Recover', id: ID }).then([{ type: 'orchestration.agent.recovered', data: { agentId: ID, from: 'LOST' } }]);
    });
    it('is not marked stale twice', () => spec.given([registered, stale]).when({ type: 'MarkStale', id: ID, lastHeartbeatAt: null }).then([]));
  });

  describe('when TERMINATED', () => {
    const terminated: AgentEvent = { type: 'orchestration.agent.terminated', data: { agentId: ID, reason: null, taskCodes: [] } };
    it('does not come back on a heartbeat', () => {
    spec.given([registered, terminated]).when({ type: 'Recover', id: ID }).thenThrows(ConflictError, 'AGENT.TERMINATED');
  });
    it('takes a second terminate as a retry', () => spec.given([registered, terminated]).when({ type: 'Terminate', id: ID, reason: null }).then([]));
    it('is never lost', () => spec.given([registered, terminated]).when({ type: 'MarkLost', id: ID }).then([]));
  });

  it('derives IDLE/BUSY from what it holds, and clears its tasks when lost', () => {
    const fold = (events: AgentEvent[]) => events.reduce((s, e, i) => evolve(s, e, { occurredAt: `2026-01-01T00:00:0${i}.000Z`, version: i + 1, actor: { kind: 'system', id: 'x' } }), initialState());
    expect(fold([registered, assigned('TSK-1')])).toMatchObject({ status: 'BUSY', lastAssignedAt: '2026-01-01T00:00:01.000Z', tasks: [{ taskCode: 'TSK-1' }] });
    expect(fold([registered, assigned('TSK-1'), { type: 'orchestration.agent.task_released', data: { agentId: ID, taskCode: 'TSK-1', reason: 'x' } }])).toMatchObject({ status: 'IDLE', tasks: [] });
    expect(fold([registered, assigned('TSK-1'), stale, lost(['TSK-1'])])).toMatchObject({ status: 'LOST', tasks: [] });
    expect(fold([registered, assigned('TSK-1'), stale, { type: 'orchestration.agent.recovered', data: { agentId: ID, from: 'STALE' } }])).toMatchObject({ status: 'BUSY' });
  });
});
