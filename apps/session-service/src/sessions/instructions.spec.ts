import type { SessionEvent } from '@orch/contracts';
import { loadTemplates, findConfigDir } from '../workflow/templates';
import { changesMarkdown } from './changes-md';
import { humanDuration, instructionsFor } from './instructions';
import { evolve, initialState, type SessionState } from './session';
import { parsePullRequestUrl } from './session-writes';
import { join } from 'node:path';

const templates = loadTemplates(join(findConfigDir(), 'workflows'));
const template = templates.get('default')!;
const base = { sessionKey: 'sess_TSK-1_20260101_000000', taskCode: 'TSK-1', sprintCode: null };
const startedAt = '2026-01-01T00:00:00.000Z';
const fold = (events: SessionEvent[]): SessionState =>
  events.reduce<SessionState>((s, e, i) => evolve(s, e, { occurredAt: startedAt, version: i + 1, actor: { kind: 'agent', id: 'a' } }), initialState());
const start = (estimateMinutes: number | null = 30): SessionEvent[] => [
  { type: 'orchestration.session.start', data: { ...base, template: 'default', phases: template.phases.map((p) => p.name), agentId: 'a', taskTitle: 'Greet', estimateMinutes } },
  { type: 'orchestration.phase.intake.start', data: { ...base, phase: 'INTAKE', from: null } },
];
const move = (from: string, to: string): SessionEvent[] => [
  { type: `orchestration.phase.${from.toLowerCase()}.end`, data: { ...base, phase: from, durationMs: 1, overridden: false } },
  { type: `orchestration.phase.${to.toLowerCase()}.start`, data: { ...base, phase: to, from } },
];

describe('instructions', () => {
  it('in INTAKE: the goal, what is missing, and commands that work as printed', () => {
    const i = instructionsFor(fold(start())!, template, '2026-01-01T00:05:00.000Z');
    expect(i.nextActions[0]).toBe('INTAKE: Understand the task and agree what done means');
    expect(i.missing).toEqual([{ kind: 'artifact', name: 'TASK.md', hint: 'register it: orch artifact TASK.md ./TASK.md' }]);
    expect(i.suggestedCommands).toEqual(['orch artifact TASK.md ./TASK.md', 'orch phase-complete', 'orch note "…"', 'orch update "…"']);
    expect(i.contextReminder).toEqual({ activeTask: 'TSK-1', sessionKey: base.sessionKey, phase: 'INTAKE', status: 'ACTIVE', timeElapsed: '5m', timeElapsedMs: 300_000, estimateMinutes: 30, taskTimeMs: 300_000, taskTimeSpent: '5m' });
  });

  it('offers the override only to a caller who may override', () => {
    const s = fold(start())!;
    expect(instructionsFor(s, template, startedAt, { mayOverride: true }).suggestedCommands).toContain('orch phase-complete --override --reason "…"');
    expect(instructionsFor(s, template, startedAt, { mayOverride: false }).suggestedCommands.filter((c) => c.includes('--override'))).toEqual([]);
  });

  it("after a phase: that phase's next_step, and the hooks the CLI runs", () => {
    const s = fold([...start(), ...move('INTAKE', 'RESEARCH'), ...move('RESEARCH', 'PLAN'), ...move('PLAN', 'EXECUTE')])!;
    const i = instructionsFor(s, template, startedAt);
    expect(i.nextActions).toContain('Now transition to EXECUTE.');
    expect(i.phaseHooks).toEqual({ onStart: ['git.capture_commit_hash'], onEnd: ['git.capture_final_commit'] });
    expect(i.missing).toEqual([]);
  });

  it('hands files.sync to the CLI at CLOSE only when sync_files_on_close is on', () => {
    const phases = ['INTAKE', 'RESEARCH', 'PLAN', 'EXECUTE', 'REVIEW', 'CLOSE'];
    const s = fold([...start(), ...phases.slice(1).flatMap((p, i) => move(phases[i]!, p))])!;
    expect(instructionsFor(s, template, startedAt).phaseHooks.onEnd).toEqual(['files.sync']);
    expect(instructionsFor(s, template, startedAt, { syncFiles: false }).phaseHooks.onEnd).toEqual([]);
  });

  it('suggests updating the estimate once the time spent passes it', () => {
    const i = instructionsFor(fold(start(30))!, template, '2026-01-01T01:00:00.000Z');
    expect(i.nextActions.at(-1)).toMatch(/^Time spent on TSK-1 \(1h 00m\) passes the estimate \(30m\): update the estimate/);
  });

  it("weighs the task's current estimate, not the one from session start", () => {
    const s = fold(start(30))!;
    const raised = instructionsFor(s, template, '2026-01-01T01:00:00.000Z', { task: { estimateMinutes: 90, otherSessionsMs: 0 } });
    expect(raised.nextActions.filter((a) => a.includes('passes the estimate'))).toEqual([]);
    expect(raised.contextReminder.estimateMinutes).toBe(90);
  });

  it("counts the time of the task's earlier sessions against the estimate", () => {
    const i = instructionsFor(fold(start(60))!, template, '2026-01-01T00:20:00.000Z', { task: { estimateMinutes: 60, otherSessionsMs: 50 * 60_000 } });
    expect(i.contextReminder).toMatchObject({ timeElapsedMs: 20 * 60_000, taskTimeMs: 70 * 60_000, taskTimeSpent: '1h 10m' });
    expect(i.nextActions.at(-1)).toMatch(/^Time spent on TSK-1 \(1h 10m\) passes the estimate \(60m\)/);
  });

  it('says how to resume a suspended session, and what next after an ended one', () => {
    const suspended: SessionEvent = { type: 'orchestration.session.suspended', data: { ...base, phase: 'INTAKE', reason: 'x', agentId: null } };
    expect(instructionsFor(fold([...start(), suspended])!, template, startedAt).suggestedCommands).toEqual([`orch session-resume ${base.sessionKey}`]);
    const end: SessionEvent = { type: 'orchestration.session.end', data: { ...base, status: 'COMPLETED', phase: 'INTAKE', forced: true, reason: null, activeMs: 1000, phaseDurations: { INTAKE: 1000 } } };
    const ended = instructionsFor(fold([...start(), end])!, template, startedAt);
    expect(ended.nextActions[0]).toBe('The session is COMPLETED.');
    // Commands that run as printed: no placeholder task code.
    expect(ended.suggestedCommands).toEqual(['orch status', 'orch task list --status READY']);
    expect(ended).toMatchObject({ missing: [], phaseHooks: { onStart: [], onEnd: [] }, contextReminder: { status: 'COMPLETED', timeElapsedMs: 1000 } });
  });

  it('prints durations for people', () => {
    expect([humanDuration(4_000), humanDuration(600_000), humanDuration(3_900_000)]).toEqual(['4s', '10m', '1h 05m']);
  });
});

describe('git links and CHANGES.md', () => {
  it.each([
    ['https://github.com/org/repo/pull/123', { provider: 'github', number: 123 }],
    ['https://gitlab.com/group/sub/repo/-/merge_requests/9', { provider: 'gitlab', number: 9 }],
    ['https://gitlab.example.org/a/b/-/merge_requests/77/', { provider: 'gitlab', number: 77 }],
    ['https://github.com/org/repo/issues/5', null],
    ['javascript:alert(1)', null],
    ['not a url', null],
  ])('reads %s', (url, expected) => expect(parsePullRequestUrl(url)).toEqual(expected));

  it('reads self-hosted hosts named in git.providers, each only as its provider', () => {
    const providers = { 'git.acme.corp': 'github', 'code.acme.corp:8443': 'gitlab' } as const;
    expect(parsePullRequestUrl('https://git.acme.corp/org/app/pull/7')).toBeNull(); // not configured: not a GitHub host
    expect(parsePullRequestUrl('https://git.acme.corp/org/app/pull/7', providers)).toEqual({ provider: 'github', number: 7 });
    expect(parsePullRequestUrl('https://git.acme.corp/org/app/-/merge_requests/7', providers)).toBeNull();
    expect(parsePullRequestUrl('https://code.acme.corp:8443/g/app/-/merge_requests/12', providers)).toEqual({ provider: 'gitlab', number: 12 });
    expect(parsePullRequestUrl('https://code.acme.corp:8443/g/app/pull/12', providers)).toBeNull();
  });

  it('lays CHANGES.md out as the seeds do', () => {
    const commit: SessionEvent = { type: 'orchestration.session.commit_recorded', data: { ...base, phase: 'EXECUTE', hash: '16124713051261b28ee5da030c2bfc7ce228cc1d', shortHash: '1612471', message: 'feat: implement new feature\n\nbody', author: 'Jo' } };
    const changes: SessionEvent = { type: 'orchestration.session.changes_recorded', data: { ...base, phase: 'REVIEW', files: ['app/Feature.php'], diffSummary: '1 file changed' } };
    expect(changesMarkdown([fold([...start(), commit, changes])!], null, '2026-01-13T10:00:00.000Z')).toBe(
      ['# Changes Summary', '', '**Task**: Greet (TSK-1)', '**Date**: 2026-01-13', '', '## Overview', 'Greet', '', '## Modified Files', '- app/Feature.php', '', '## Diff Summary', '1 file changed', '', '## Related Commits', '- 1612471 - feat: implement new feature (Phase: execute)', ''].join('\n'),
    );
  });

  it('covers every session of the task: commits and files of all of them, each commit once', () => {
    const commit = (hash: string, message: string): SessionEvent => ({ type: 'orchestration.session.commit_recorded', data: { ...base, phase: 'EXECUTE', hash, shortHash: hash.slice(0, 7), message, author: 'Jo' } });
    const changes = (files: string[], diffSummary: string): SessionEvent => ({ type: 'orchestration.session.changes_recorded', data: { ...base, phase: 'REVIEW', files, diffSummary } });
    const first = fold([...start(), commit('1111111aaaa', 'feat: first half'), changes(['a.ts'], '1 file changed')])!;
    const second = { ...fold([...start(), commit('2222222bbbb', 'feat: second half'), commit('1111111aaaa', 'feat: first half'), changes(['a.ts', 'b.ts'], '2 files changed')])!, key: 'sess_TSK-1_20260102_000000' };
    const md = changesMarkdown([first, second], null, '2026-01-13T10:00:00.000Z');
    expect(md).toContain('## Modified Files\n- a.ts\n- b.ts\n');
    expect(md).toContain(`## Diff Summary\n- ${base.sessionKey}: 1 file changed\n- sess_TSK-1_20260102_000000: 2 files changed\n`);
    expect(md).toContain('## Related Commits\n- 1111111 - feat: first half (Phase: execute)\n- 2222222 - feat: second half (Phase: execute)\n');
  });
});
