/** Callers waiting for a projection to reach a stream sequence (read-your-writes). */
export class PositionWaiters {
  private readonly waiters = new Set<{ seq: number; done: () => void }>();

  /** Resolves true when `reached()` says so after a `notify`, or false at the deadline. */
  wait(seq: number, timeoutMs: number, reached: () => boolean): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter = {
        seq,
        done: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(reached());
        },
      };
      const timer = setTimeout(waiter.done, Math.max(0, timeoutMs));
      this.waiters.add(waiter);
    });
  }

  /** Wakes every waiter whose sequence is at or below `position`. */
  notify(position: number): void {
    for (const w of this.waiters) if (w.seq <= position) w.done();
  }

  releaseAll(): void {
    for (const w of this.waiters) w.done();
  }
}
