import { estimate } from './match-estimate';

describe('estimated share of matching rows', () => {
  const freq = (l: string) => ({ test: 0.3, migrat: 0.05, phase: 0.2, valid: 0.04 })[l] ?? 0.0001;

  it('counts a word by its frequency, an unknown word as rare', () => {
    expect(estimate("'test'", freq)).toBe(0.3);
    expect(estimate("'kubernet'", freq)).toBe(0.0001);
  });

  it('counts AND and phrases as their rarest word, OR as the sum', () => {
    expect(estimate("'phase' <-> 'valid'", freq)).toBe(0.04);
    expect(estimate("'test' & 'migrat'", freq)).toBe(0.05);
    expect(estimate("'test' | 'migrat'", freq)).toBeCloseTo(0.35);
  });

  it('lets a negated word narrow nothing, and a pure negation match everything', () => {
    expect(estimate("'migrat' & !'test'", freq)).toBe(0.05);
    expect(estimate("!'test'", freq)).toBe(1);
  });

  it('reads quotes inside lexemes', () => {
    expect(estimate("'it''s' | 'test'", (l) => (l === "it's" ? 0.1 : 0.3))).toBeCloseTo(0.4);
  });
});
