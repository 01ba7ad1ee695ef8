import type { EventEnvelope } from './envelope';

/** Turns the data of `type` at `fromVersion` into its shape at `fromVersion + 1`. */
export interface Upcaster {
  type: string;
  fromVersion: number;
  upcast(data: Record<string, unknown>): Record<string, unknown>;
}

/**
 * Events are never edited in the log; readers upcast old shapes on the way in. Register one
 * upcaster per (type, version) step; they chain until no step applies.
 */
export class UpcasterRegistry {
  private readonly steps = new Map<string, Upcaster>();

  constructor(upcasters: Upcaster[] = []) {
    for (const u of upcasters) this.register(u);
  }

  register(u: Upcaster): void {
    const key = `${u.type}@${u.fromVersion}`;
    if (this.steps.has(key)) throw new Error(`two upcasters for ${key}`);
    this.steps.set(key, u);
  }

  upcast(event: EventEnvelope): EventEnvelope {
    let current = event;
    for (let step = this.steps.get(`${current.type}@${current.schemaVersion}`); step; ) {
      current = { ...current, data: step.upcast(current.data), schemaVersion: current.schemaVersion + 1 };
      step = this.steps.get(`${current.type}@${current.schemaVersion}`);
    }
    return current;
  }
}
