import { typeGlobToRegex } from './events';

describe('event type filters', () => {
  const matches = (glob: string, type: string) => new RegExp(typeGlobToRegex(glob)).test(type);

  it('matches an exact type only', () => {
    expect(matches('orchestration.task.created', 'orchestration.task.created')).toBe(true);
    expect(matches('orchestration.task.created', 'orchestration.task.created_x')).toBe(false);
    expect(matches('orchestration.task.created', 'orchestrationXtask.created')).toBe(false);
  });

  it('lets * stand for exactly one segment', () => {
    expect(matches('orchestration.task.*', 'orchestration.task.status_updated')).toBe(true);
    expect(matches('orchestration.phase.*', 'orchestration.phase.plan.start')).toBe(false);
    expect(matches('orchestration.phase.*.start', 'orchestration.phase.plan.start')).toBe(true);
  });

  it('takes a trailing ** as > (the webhook subscriptions\' spelling), and ** elsewhere literally', () => {
    expect(matches('orchestration.phase.**', 'orchestration.phase.plan.start')).toBe(true);
    expect(matches('orchestration.phase.**', 'orchestration.phase')).toBe(false);
    expect(matches('orchestration.**.start', 'orchestration.phase.plan.start')).toBe(false);
  });

  it('lets a trailing > stand for the rest', () => {
    expect(matches('orchestration.phase.>', 'orchestration.phase.plan.start')).toBe(true);
    expect(matches('orchestration.phase.>', 'orchestration.phase')).toBe(false);
  });
});
