import type { EventMeta } from '@orch/event-store';

export interface Decider<S, E, C> {
  initialState: () => S;
  evolve: (state: S, event: E, meta: EventMeta) => S;
  decide: (command: C, state: S) => E[];
}

const META: EventMeta = { occurredAt: '2026-01-01T00:00:00.000Z', version: 1, actor: { kind: 'human', id: 'tester' } };

/**
 * Given/when/then for pure deciders: `spec.given([events]).when(command).then([events])`, or
 * `.thenThrows(ErrorClass, 'CODE')`. No I/O: this is how the domain rules are specified.
 */
export function deciderSpec<S, E, C>(decider: Decider<S, E, C>) {
  return {
    given(events: E[]) {
      const state = events.reduce((s, e, i) => decider.evolve(s, e, { ...META, version: i + 1 }), decider.initialState());
      return {
        when(command: C) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: E[]) {
              expect(run()).toEqual(expected);
            },
            thenThrows(errorClass: new (...args: never[]) => Error, code?: string) {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught).toBeInstanceOf(errorClass);
              if (code) expect((caught as { code?: string }).code).toBe(code);
              return caught as Error & { code: string; missing?: unknown[] };
            },
          };
        },
      };
    },
  };
}
