import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Instructions } from '@orch/contracts';
import { ApiError } from '../client';
import { failure, ok } from './render';

const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

const instructions: Instructions = {
  nextActions: ['Write PLAN.md'],
  suggestedCommands: ['orch artifact PLAN.md --file PLAN.md', 'orch phase-complete'],
  missing: [{ kind: 'artifact', name: 'PLAN.md', hint: 'the plan of the change' }],
  phaseHooks: { onStart: [], onEnd: [] },
  contextReminder: { activeTask: 'TSK-1', sessionKey: 'sess_TSK-1_20260101_000000', phase: 'PLAN', status: 'ACTIVE', timeElapsed: '5m', timeElapsedMs: 300_000, estimateMinutes: 60 },
};

describe('a successful tool answer', () => {
  it('reads as where you are, what is missing, what to do next and the commands that do it', () => {
    const answer = ok('note: session sess_TSK-1_20260101_000000 is in PLAN', { instructions, warnings: [] });
    expect(text(answer)).toBe(
      [
        'note: session sess_TSK-1_20260101_000000 is in PLAN',
        '',
        'Task TSK-1 · session sess_TSK-1_20260101_000000 · phase PLAN (ACTIVE) · 5m elapsed',
        'Missing before this phase can complete:',
        '  - artifact PLAN.md: the plan of the change',
        'Next:',
        '  - Write PLAN.md',
        'Suggested commands:',
        '  $ orch artifact PLAN.md --file PLAN.md',
        '  $ orch phase-complete',
      ].join('\n'),
    );
    expect(answer.structuredContent).toMatchObject({ instructions });
  });

  it('shows the warnings of the reply, before the instructions', () => {
    const answer = ok('phase_complete: session s is in EXECUTE (overridden)', { instructions, warnings: ['gate overridden by role admin: PLAN.md missing'] });
    expect(text(answer)).toMatch(/\(overridden\)\n\nWarnings:\n {2}! gate overridden by role admin: PLAN\.md missing\n\nTask TSK-1/);
  });

  it('wraps an answer that is not an object as structured content', () => {
    expect(ok('3 items', ['a', 'b', 'c']).structuredContent).toEqual({ value: ['a', 'b', 'c'] });
  });
});

describe('a failed tool call', () => {
  it('names the tool argument a gateway 400 is about, and says to fix it', () => {
    const error = new ApiError(400, { code: 'VALIDATION.FAILED', detail: 'Invalid request', errors: [{ path: 'body.reason', message: 'is required with override (say why the gate is skipped)' }] });
    expect(text(failure(error))).toBe(
      ['Error VALIDATION.FAILED: Invalid request', '  - argument reason: is required with override (say why the gate is skipped)', '', 'Fix the arguments named above and call again.'].join('\n'),
    );
  });

  it('says "arguments" for a rule across fields, which has no single field', () => {
    const error = new ApiError(400, { code: 'VALIDATION.FAILED', errors: [{ path: 'body', message: 'give content, a uri or a sha256' }] });
    expect(text(failure(error))).toMatch(/^ {2}- arguments: give content, a uri or a sha256$/m);
  });

  it.each([
    [401, /set ORCH_API_KEY for this MCP server/],
    [409, /read it again \(session_resume\) and retry/],
    [503, /retry in a few seconds/],
    [502, /retry in a few seconds/],
  ])('answers %i with what to do about it', (status, advice) => {
    const result = failure(new ApiError(status, { code: `HTTP.${status}`, detail: 'no' }));
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(advice);
    expect(result.structuredContent).toMatchObject({ status, code: `HTTP.${status}` });
  });

  it('lists what a gate still lacks', () => {
    const error = new ApiError(422, { code: 'SESSION.PHASE_REQUIREMENTS_MISSING', detail: 'INTAKE is not complete', missing: [{ kind: 'artifact', name: 'TASK.md', hint: 'what the task is' }] });
    expect(text(failure(error))).toMatch(/Missing:\n {2}- artifact TASK\.md: what the task is\n\nProvide what is missing/);
  });

  it('passes on the message of anything that is not the gateway answering', () => {
    expect(failure(new Error('No agent id: set ORCH_AGENT_ID')).content).toEqual([{ type: 'text', text: 'Failed: No agent id: set ORCH_AGENT_ID' }]);
  });
});
