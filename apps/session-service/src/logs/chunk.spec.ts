import { countLines, decodeChunk, decodeCounts, encodeChunks, encodeCounts, type StoredLine } from './chunk';

const line = (i: number, over: Partial<StoredLine> = {}): StoredLine => ({ level: 'info', source: 'agent', message: `line ${i}`, at: '2026-01-01T00:00:00.000Z', ...over });

describe('log chunks', () => {
  it('round-trips lines in order, with context', () => {
    const lines = [line(1), line(2, { level: 'error', source: 'task', context: { file: 'a.ts', attempt: 2, ok: false, none: null } })];
    const [chunk] = encodeChunks(lines);
    expect(decodeChunk(chunk!.data)).toEqual(lines);
    expect(chunk!.lines).toBe(2);
  });

  it('cuts a large batch into chunks under the byte target, never splitting a line, keeping the order', () => {
    const lines = Array.from({ length: 500 }, (_, i) => line(i, { message: `${i} ${'x'.repeat(1_000)}` }));
    const chunks = encodeChunks(lines, 64 * 1024);
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) expect(c.data.byteLength).toBeLessThanOrEqual(64 * 1024 + 32);
    expect(chunks.flatMap((c) => decodeChunk(c.data)!)).toEqual(lines);
    expect(chunks.reduce((n, c) => n + c.lines, 0)).toBe(500);
  });

  it('counts levels and sources, and keeps them in a header that reads back', () => {
    const counts = countLines([line(1), line(2, { level: 'critical', source: 'system' }), line(3, { level: 'critical' })]);
    expect(counts.byLevel).toEqual({ debug: 0, info: 1, warn: 0, error: 0, critical: 2 });
    expect(counts.bySource).toEqual({ orchestrator: 0, agent: 2, task: 0, system: 1 });
    expect(encodeCounts(counts)).toBe('0,1,0,0,2;0,2,0,1');
    expect(decodeCounts(encodeCounts(counts))).toEqual(counts);
  });

  it.each([undefined, '', '1,2,3;4', 'a,b,c,d,e;1,2,3,4', '0,1,0,0,2;0,2,0,1;9'])('reads no counts from the header %p', (header) => {
    expect(decodeCounts(header)).toBeNull();
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{nope')],
    ['another version', new TextEncoder().encode('{"v":2,"lines":[]}')],
    ['a line without a level', new TextEncoder().encode('{"v":1,"lines":[{"source":"agent","message":"m","at":"x"}]}')],
  ])('does not take %s for a chunk', (_what, data) => {
    expect(decodeChunk(data)).toBeNull();
  });
});
