import { ewma } from './learned-estimates';

describe('the exponentially weighted mean of tracked times', () => {
  it('starts at the first value and weighs each newer one by alpha', () => {
    expect(ewma([40], 0.3)).toBe(40);
    expect(ewma([40, 20], 0.3)).toBeCloseTo(34);
  });

  it('follows a lasting change within a few samples', () => {
    expect(ewma([40, 20, 20, 20, 20, 20, 20, 20], 0.3)).toBeLessThan(25);
  });
});
