import { ValidationError } from '@orch/errors';
import { Subjects } from './subjects';
import { UpcasterRegistry } from './upcasting';

describe('subjects', () => {
  const s = new Subjects('orch');

  it('gives each aggregate one subject under the event prefix', () => {
    expect(s.aggregate('task', 'TSK-001')).toBe('orch.evt.task.TSK-001');
    expect(s.allEvents).toBe('orch.evt.>');
    expect(s.rpc('planner', 'task.create')).toBe('orch.rpc.planner.task.create');
    expect(s.queue('planner')).toBe('orch-planner');
  });

  it.each(['TSK.1', 'TSK*', 'TSK>', 'TSK 1', 'TSK\n1', '', '-x', 'x'.repeat(129)])('refuses the id %j with a ValidationError naming it', (id) => {
    expect(() => s.aggregate('task', id)).toThrow(ValidationError);
  });

  it('refuses a prefix that is not one token', () => {
    expect(() => new Subjects('a.b')).toThrow('must be one token');
  });
});

describe('upcasting', () => {
  const event = (schemaVersion: number, data: Record<string, unknown>) => ({
    id: '00000000-0000-4000-8000-000000000000',
    type: 'orchestration.task.created',
    aggregateType: 'task',
    aggregateId: 'TSK-1',
    version: 1,
    occurredAt: '2026-01-01T00:00:00Z',
    actor: { kind: 'system' as const, id: 's' },
    commandId: 'c',
    correlationId: 'c',
    causationId: null,
    schemaVersion,
    data,
  });

  it('chains steps from the stored version to the current one, leaving the log untouched', () => {
    const registry = new UpcasterRegistry([
      { type: 'orchestration.task.created', fromVersion: 1, upcast: (d) => ({ ...d, priority: 'MEDIUM' }) },
      { type: 'orchestration.task.created', fromVersion: 2, upcast: ({ name, ...d }) => ({ ...d, title: name }) },
    ]);
    const stored = event(1, { name: 'Old' });
    expect(registry.upcast(stored)).toMatchObject({ schemaVersion: 3, data: { title: 'Old', priority: 'MEDIUM' } });
    expect(stored.data).toEqual({ name: 'Old' });
    expect(registry.upcast(event(3, { title: 'New' }))).toMatchObject({ schemaVersion: 3, data: { title: 'New' } });
  });

  it('refuses two upcasters for the same step', () => {
    const step = { type: 't', fromVersion: 1, upcast: (d: Record<string, unknown>) => d };
    expect(() => new UpcasterRegistry([step, step])).toThrow('two upcasters for t@1');
  });
});
