import type { StoredLine } from './chunk';
import { countLines } from './chunk';
import { filterOf, matches, PageBuilder, StatsBuilder, type ReadChunk } from './log-query';

const line = (message: string, level: StoredLine['level'] = 'info', source: StoredLine['source'] = 'agent'): StoredLine => ({ level, source, message, at: '2026-01-01T00:00:00.000Z' });
const chunk = (seq: number, lines: StoredLine[]): ReadChunk => ({ seq, receivedAt: `2026-01-01T00:00:0${seq % 10}.000Z`, lines });
const ALL = filterOf({});

describe('filtering lines', () => {
  it('treats level as the lowest level shown', () => {
    const f = filterOf({ level: 'warn' });
    expect(['debug', 'info', 'warn', 'error', 'critical'].map((l) => matches(line('m', l as StoredLine['level']), f))).toEqual([false, false, true, true, true]);
  });

  it('matches q case-insensitively anywhere in the message, and source exactly', () => {
    expect(matches(line('Build FAILED in src/a.ts'), filterOf({ q: 'failed in' }))).toBe(true);
    expect(matches(line('build ok'), filterOf({ q: 'FAILED' }))).toBe(false);
    expect(matches(line('m', 'info', 'task'), filterOf({ source: 'task' }))).toBe(true);
    expect(matches(line('m', 'info', 'agent'), filterOf({ source: 'task' }))).toBe(false);
  });
});

describe('a page of lines', () => {
  const chunks = [chunk(3, [line('a'), line('b'), line('c')]), chunk(7, [line('d'), line('e')])];

  it('gives every line with its cursor when they fit, and says there is no more', () => {
    const page = new PageBuilder(ALL, null, 10);
    chunks.forEach((c) => page.add(c));
    expect(page.items.map((i) => [i.cursor, i.message])).toEqual([['3:0', 'a'], ['3:1', 'b'], ['3:2', 'c'], ['7:0', 'd'], ['7:1', 'e']]);
    expect(page.items[3]!.receivedAt).toBe('2026-01-01T00:00:07.000Z');
    expect([page.next, page.full]).toEqual(['7:1', false]);
  });

  it('stops at the limit, and the next page starts after the last line given, inside a chunk', () => {
    const first = new PageBuilder(ALL, null, 2);
    expect(first.add(chunks[0]!)).toBe(false);
    expect([first.items.map((i) => i.message), first.next, first.full]).toEqual([['a', 'b'], '3:1', true]);
    const second = new PageBuilder(ALL, { seq: 3, index: 1 }, 2);
    for (const c of chunks) if (!second.add(c)) break;
    expect(second.items.map((i) => i.message)).toEqual(['c', 'd']);
  });

  it('skips the whole chunk of a bare sequence', () => {
    const page = new PageBuilder(ALL, { seq: 3, index: null }, 10);
    chunks.forEach((c) => page.add(c));
    expect(page.items.map((i) => i.message)).toEqual(['d', 'e']);
  });

  it('moves the cursor past lines the filter leaves out, so a poll does not read them again', () => {
    const page = new PageBuilder(filterOf({ level: 'error' }), null, 10);
    chunks.forEach((c) => page.add(c));
    expect([page.items, page.next]).toEqual([[], '7:1']);
  });

  it('has no cursor when it examined nothing', () => {
    const page = new PageBuilder(ALL, { seq: 7, index: 1 }, 10);
    chunks.forEach((c) => page.add(c));
    expect([page.items, page.next, page.full]).toEqual([[], null, false]);
  });

  it('stops at its byte bound before the limit', () => {
    const big = chunk(1, Array.from({ length: 50 }, (_, i) => line(`${i} ${'y'.repeat(1_000)}`)));
    const page = new PageBuilder(ALL, null, 1000, 10_000);
    page.add(big);
    expect(page.full).toBe(true);
    expect(page.items.length).toBeLessThan(12);
    expect(page.items.length).toBeGreaterThan(5);
  });
});

describe('stats', () => {
  it('sums counts and computes the error rate from error and critical', () => {
    const s = new StatsBuilder();
    s.add(countLines([line('a'), line('b', 'error'), line('c', 'critical', 'system')]), '2026-01-01T00:00:01.000Z');
    s.add(countLines([line('d', 'warn', 'task')]), '2026-01-01T00:00:02.000Z');
    expect(s.result('sess_TSK-1_20260101_000000')).toEqual({
      sessionKey: 'sess_TSK-1_20260101_000000',
      total: 4,
      byLevel: { debug: 0, info: 1, warn: 1, error: 1, critical: 1 },
      bySource: { orchestrator: 0, agent: 2, task: 1, system: 1 },
      errorRate: 0.5,
      firstAt: '2026-01-01T00:00:01.000Z',
      lastAt: '2026-01-01T00:00:02.000Z',
    });
  });

  it('has a zero error rate and no times without lines', () => {
    expect(new StatsBuilder().result('sess_TSK-1_20260101_000000')).toMatchObject({ total: 0, errorRate: 0, firstAt: null, lastAt: null });
  });
});
