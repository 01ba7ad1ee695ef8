import { ConflictError, NotFoundError, RuleViolation } from '@orch/errors';
import type { SprintEvent } from '@orch/contracts';
import { deciderSpec } from '@orch/testing';
import { decide, evolve, initialState } from './sprint';

const spec = deciderSpec({ initialState, evolve, decide });
const created: SprintEvent = { type: 'orchestration.sprint.created', data: { code: 'SPR-1', title: 'One', goal: null, status: 'PLANNED' } };
const status = (s: 'ACTIVE' | 'COMPLETED' | 'CANCELLED' | 'PLANNED'): SprintEvent => ({ type: 'orchestration.sprint.updated', data: { changes: { status: s } } });

describe('a sprint', () => {
  describe('when it does not exist', () => {
    it('is created PLANNED, with no goal unless one is given', () => {
      spec.given([]).when({ type: 'CreateSprint', sprint: { code: 'SPR-1', title: 'One' } }).then([created]);
    });

    it('cannot be updated', () => {
      spec.given([]).when({ type: 'UpdateSprint', code: 'SPR-1', changes: { title: 'x' } }).thenThrows(NotFoundError, 'SPRINT.NOT_FOUND');
    });
  });

  describe('when PLANNED', () => {
    it('refuses a second creation with the same code', () => {
      spec.given([created]).when({ type: 'CreateSprint', sprint: { code: 'SPR-1', title: 'Again' } }).thenThrows(ConflictError, 'SPRINT.EXISTS');
    });

    it('records only the fields that change', () => {
      spec
        .given([created])
        .when({ type: 'UpdateSprint', code: 'SPR-1', changes: { title: 'One', goal: 'Ship it' } })
        .then([{ type: 'orchestration.sprint.updated', data: { changes: { goal: 'Ship it' } } }]);
    });

    it('records nothing for an update that changes nothing', () => {
      spec.given([created]).when({ type: 'UpdateSprint', code: 'SPR-1', changes: { title: 'One' } }).then([]);
    });

    it('starts', () => {
      spec.given([created]).when({ type: 'UpdateSprint', code: 'SPR-1', changes: { status: 'ACTIVE' } }).then([status('ACTIVE')]);
    });

    it('cannot jump to COMPLETED, and says which moves are allowed', () => {
      const error = spec.given([created]).when({ type: 'UpdateSprint', code: 'SPR-1', changes: { status: 'COMPLETED' } }).thenThrows(RuleViolation, 'SPRINT.ILLEGAL_TRANSITION');
      expect(error.message).toBe('Sprint SPR-1 cannot go from PLANNED to COMPLETED');
    });
  });

  describe('when COMPLETED', () => {
    it('is history: no status change is allowed', () => {
      spec.given([created, status('ACTIVE'), status('COMPLETED')]).when({ type: 'UpdateSprint', code: 'SPR-1', changes: { status: 'ACTIVE' } }).thenThrows(RuleViolation);
    });
  });
});
