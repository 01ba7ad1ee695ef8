import { sessionLogLevelRank, type SessionLogLine, type SessionLogsQuery, type SessionLogStats } from '@orch/contracts';
import { addCounts, emptyCounts, type ChunkCounts, type StoredLine } from './chunk';

/** A page's answer stays well under NATS's 1 MiB message, whatever `limit` says. */
export const PAGE_MAX_BYTES = 512 * 1024;

export interface LineFilter {
  minRank: number;
  source?: string;
  /** Lower-cased. */
  q?: string;
}

export function filterOf(query: Pick<SessionLogsQuery, 'level' | 'source' | 'q'>): LineFilter {
  return { minRank: query.level ? sessionLogLevelRank(query.level) : 0, source: query.source, q: query.q?.toLowerCase() };
}

export function matches(line: StoredLine, f: LineFilter): boolean {
  if (sessionLogLevelRank(line.level) < f.minRank) return false;
  if (f.source && line.source !== f.source) return false;
  return !f.q || line.message.toLowerCase().includes(f.q);
}

export const cursorOf = (seq: number, index: number): string => `${seq}:${index}`;

/** A chunk as read back: its sequence, when it was stored, and its lines. */
export interface ReadChunk {
  seq: number;
  receivedAt: string;
  lines: readonly StoredLine[];
}

/**
 * Builds one page from chunks read in order: skips what is at or before the `after` cursor,
 * keeps matching lines up to `limit` (and the size bound), and remembers the last line it
 * examined, so that the next page (or poll) starts after it even when nothing matched.
 */
export class PageBuilder {
  readonly items: SessionLogLine[] = [];
  private bytes = 0;
  private lastExamined: string | null = null;
  full = false;

  constructor(
    private readonly filter: LineFilter,
    private readonly after: { seq: number; index: number | null } | null,
    private readonly limit: number,
    private readonly maxBytes = PAGE_MAX_BYTES,
  ) {}

  /** Takes a chunk; false once the page is full (stop reading). */
  add(chunk: ReadChunk): boolean {
    for (let i = 0; i < chunk.lines.length; i++) {
      if (this.isBeforeStart(chunk.seq, i)) continue;
      const line = chunk.lines[i]!;
      this.lastExamined = cursorOf(chunk.seq, i);
      if (!matches(line, this.filter)) continue;
      const item: SessionLogLine = { cursor: this.lastExamined, ...line, receivedAt: chunk.receivedAt };
      this.bytes += Buffer.byteLength(JSON.stringify(item));
      this.items.push(item);
      if (this.items.length >= this.limit || this.bytes >= this.maxBytes) {
        this.full = true;
        return false;
      }
    }
    return true;
  }

  /** Where the next page starts: the last line examined; null when none was. */
  get next(): string | null {
    return this.lastExamined;
  }

  private isBeforeStart(seq: number, index: number): boolean {
    if (!this.after) return false;
    if (seq < this.after.seq) return true;
    return seq === this.after.seq && (this.after.index === null || index <= this.after.index);
  }
}

/** Sums the counts of chunks (read from their headers) into the stats answer. */
export class StatsBuilder {
  private readonly total = emptyCounts();
  private firstAt: string | null = null;
  private lastAt: string | null = null;

  add(counts: ChunkCounts, receivedAt: string): void {
    addCounts(this.total, counts);
    this.firstAt ??= receivedAt;
    this.lastAt = receivedAt;
  }

  result(sessionKey: string): SessionLogStats {
    const all = Object.values(this.total.byLevel).reduce((a, b) => a + b, 0);
    const errors = this.total.byLevel.error + this.total.byLevel.critical;
    return {
      sessionKey,
      total: all,
      byLevel: { ...this.total.byLevel },
      bySource: { ...this.total.bySource },
      errorRate: all === 0 ? 0 : errors / all,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
    };
  }
}
