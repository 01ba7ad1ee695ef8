import { ndcgAt, recallAt } from './metrics';

describe('ranking metrics', () => {
  it('scores a perfect ranking 1 and a reversed one lower', () => {
    const judged = { a: 3, b: 2, c: 1 };
    expect(ndcgAt(['a', 'b', 'c'], judged, 10)).toBe(1);
    expect(ndcgAt(['c', 'b', 'a'], judged, 10)).toBeLessThan(0.8);
    expect(ndcgAt(['x', 'a', 'b', 'c'], judged, 10)).toBeLessThan(1);
  });

  it('scores an empty answer 1 only when nothing is relevant', () => {
    expect(ndcgAt([], {}, 10)).toBe(1);
    expect(ndcgAt(['x'], {}, 10)).toBe(0);
    expect(ndcgAt([], { a: 1 }, 10)).toBe(0);
  });

  it('measures recall of the exact top k', () => {
    expect(recallAt(['a', 'b', 'c', 'd'], ['a', 'c', 'x', 'y'], 4)).toBe(0.5);
    expect(recallAt([], ['a'], 20)).toBe(1);
  });
});
