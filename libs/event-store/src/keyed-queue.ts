/**
 * Runs tasks one at a time per key, in arrival order; different keys run concurrently. The
 * aggregate repository queues the commands of one aggregate in this process behind each other:
 * racing them would only make all but one lose at the stream (expected sequence), reload and
 * try again, which costs more than waiting for one append.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // The last one out removes the key, so the map holds only aggregates with work in flight.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.tails.size;
  }
}
