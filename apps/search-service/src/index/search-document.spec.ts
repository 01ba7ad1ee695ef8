import { pathTokens, pathVariants, searchDocument, typeWords } from './search-document';

describe('the text an event is indexed by', () => {
  it('puts the type words first, headline fields next, other strings after, identifiers last', () => {
    const doc = searchDocument('orchestration.session.note_added', {
      sessionKey: 'sess_TSK-1_20260101_101010',
      taskCode: 'TSK-1',
      agentId: 'agent-7',
      text: 'Migration of the users table is done',
      details: { hint: 'ran npm test twice' },
      at: '2026-01-01T10:00:00.000Z',
    });
    expect(doc.type).toBe('orchestration.session.note_added session note added');
    expect(doc.head).toBe('Migration of the users table is done');
    expect(doc.body).toBe('ran npm test twice');
    expect(doc.ids).toBe('agent-7'); // the scope ids are columns of the row, not words of it
  });

  it('leaves out uuids, hashes and timestamps, which nobody searches by words', () => {
    const doc = searchDocument('orchestration.session.artifact_registered', {
      name: 'plan.md',
      sha256: 'ab'.repeat(32),
      commandId: '0b7c8f3e-2a1d-4c5b-9e8f-1a2b3c4d5e6f',
      note: 'deadbeefdeadbeefdeadbeef',
      startedAt: 'yesterday',
    });
    expect(doc.head).toBe('plan.md');
    expect(doc.ids).toBe('');
    expect(doc.body).not.toMatch(/deadbeef|yesterday/);
  });

  it('indexes a file path whole, by every tail and by its parts, so partial paths find it', () => {
    expect(pathVariants('/repo/apps/cli/src/context-store.ts:12:3')).toEqual([
      'repo/apps/cli/src/context-store.ts',
      'apps/cli/src/context-store.ts',
      'cli/src/context-store.ts',
      'src/context-store.ts',
      'context-store.ts',
      'repo apps cli src',
      'context-store',
    ]);
    expect(pathVariants('C:\\work\\x.js')).toEqual(['work/x.js', 'x.js', 'work', 'x']);
  });

  it('finds paths inside prose and stack traces, but not URLs', () => {
    const text = 'TypeError at run (/repo/apps/cli/src/x.ts:3:1) see https://github.com/o/r/pull/3 and bench/run.ts, also README.md';
    expect(pathTokens(text)).toEqual(['/repo/apps/cli/src/x.ts', 'bench/run.ts', 'README.md']);
  });

  it('keeps a huge stack trace to a bounded text', () => {
    const doc = searchDocument('orchestration.bug.logged', { stack: 'at f (/p/src/a.ts:1:1)\n'.repeat(100_000) });
    expect(doc.body.length).toBeLessThanOrEqual(16_000);
  });

  it('turns type segments into words, without the shared prefix', () => {
    expect(typeWords('orchestration.phase.implement.start')).toBe('orchestration.phase.implement.start phase implement start');
  });
});
