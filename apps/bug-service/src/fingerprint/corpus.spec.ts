import corpus from './corpus.json';
import { fingerprint, type ErrorReport } from './fingerprint';

interface Pair {
  why: string;
  a: ErrorReport;
  b: ErrorReport;
}
const { group, split } = corpus as { group: Pair[]; split: Pair[] };
const show = (r: ErrorReport) => {
  const f = fingerprint(r);
  return `${f.errorClass} | ${f.template} | ${f.frame?.fn ?? ''} @ ${f.frame?.path ?? ''}`;
};

describe('the fingerprint corpus', () => {
  it('holds at least 40 pairs that group and 30 that do not', () => {
    expect(group.length).toBeGreaterThanOrEqual(40);
    expect(split.length).toBeGreaterThanOrEqual(30);
  });

  describe('groups what is the same bug', () => {
    it.each(group.map((p) => [p.why, p] as const))('%s', (_why, p) => {
      expect(show(p.b)).toBe(show(p.a));
      expect(fingerprint(p.b).hash).toBe(fingerprint(p.a).hash);
    });
  });

  describe('splits what differs', () => {
    it.each(split.map((p) => [p.why, p] as const))('%s', (_why, p) => {
      expect(fingerprint(p.b).hash).not.toBe(fingerprint(p.a).hash);
    });
  });
});
