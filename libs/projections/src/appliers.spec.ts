import { startAfterSkip } from './appliers';

describe('moving a checkpoint over commits the read model ignores', () => {
  it('jumps from where the runner last wrote it to the end of the skipped run', () => {
    expect(startAfterSkip(5, { from: 5, to: 9 })).toBe(9);
  });

  it('never jumps from below that point: the store lost writes, and the runner must replay them', () => {
    expect(startAfterSkip(3, { from: 5, to: 9 })).toBe(3);
  });

  it('never moves a checkpoint back, and needs no jump when there is nothing skipped', () => {
    expect(startAfterSkip(12, { from: 5, to: 9 })).toBe(12);
    expect(startAfterSkip(9, { from: 5, to: 9 })).toBe(9);
    expect(startAfterSkip(7, undefined)).toBe(7);
  });
});
