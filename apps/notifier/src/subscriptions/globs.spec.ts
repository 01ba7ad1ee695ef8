import { EventGlob } from '@orch/contracts';
import { matcherOf } from './globs';

describe('event-type globs', () => {
  const matches = (globs: string[], type: string) => matcherOf(globs)(type);

  it('matches exact types', () => {
    expect(matches(['orchestration.phase.override'], 'orchestration.phase.override')).toBe(true);
    expect(matches(['orchestration.phase.override'], 'orchestration.phase.overrides')).toBe(false);
  });

  it('* is exactly one segment', () => {
    expect(matches(['orchestration.bug.*'], 'orchestration.bug.logged')).toBe(true);
    expect(matches(['orchestration.bug.*'], 'orchestration.bug')).toBe(false);
    expect(matches(['orchestration.*.start'], 'orchestration.session.start')).toBe(true);
    expect(matches(['orchestration.phase.*'], 'orchestration.phase.plan.start')).toBe(false);
  });

  it('a last > or ** is one or more segments', () => {
    for (const g of ['orchestration.phase.>', 'orchestration.phase.**']) {
      expect(matches([g], 'orchestration.phase.plan.start')).toBe(true);
      expect(matches([g], 'orchestration.phase.override')).toBe(true);
      expect(matches([g], 'orchestration.phase')).toBe(false);
    }
    expect(matches(['>'], 'orchestration.task.created')).toBe(true);
  });

  it('any of several globs', () => {
    expect(matches(['orchestration.bug.logged', 'orchestration.agent.lost'], 'orchestration.agent.lost')).toBe(true);
  });

  it.each(['', 'orchestration..bug', 'orchestration.bug*', 'orchestration.>.start', 'Orchestration.bug.*', 'orchestration bug', 'orchestration.(a|b)', 'x'.repeat(201)])(
    'refuses the bad glob %j',
    (glob) => expect(EventGlob.safeParse(glob).success).toBe(false),
  );
});
