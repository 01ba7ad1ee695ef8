import { z } from 'zod';
import { SESSION_LOG_LEVELS, SESSION_LOG_SOURCES, SessionLogContext, SessionLogLevel, SessionLogSource, type SessionLogLevel as Level, type SessionLogSource as Source } from '@orch/contracts';

/**
 * Lines are stored in chunks: one JetStream message per append (or a few, for a large one), not
 * one per line, so that 500 lines cost one publish. A line is addressed by the chunk's stream
 * sequence and its index in the chunk (the cursor `seq:index`).
 */
export interface StoredLine {
  level: Level;
  source: Source;
  message: string;
  at: string;
  context?: Record<string, string | number | boolean | null>;
}

/** Per-level and per-source counts of a chunk, also kept in a header so stats read headers only. */
export interface ChunkCounts {
  byLevel: Record<Level, number>;
  bySource: Record<Source, number>;
}

export const COUNTS_HEADER = 'Orch-Log-Counts';
/** A chunk is cut below this many bytes of JSON (NATS's default message limit is 1 MiB). */
export const CHUNK_TARGET_BYTES = 512 * 1024;

const StoredChunk = z.object({
  v: z.literal(1),
  lines: z.array(z.object({ level: SessionLogLevel, source: SessionLogSource, message: z.string(), at: z.string(), context: SessionLogContext.optional() })),
});

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const emptyCounts = (): ChunkCounts => ({
  byLevel: Object.fromEntries(SESSION_LOG_LEVELS.map((l) => [l, 0])) as Record<Level, number>,
  bySource: Object.fromEntries(SESSION_LOG_SOURCES.map((s) => [s, 0])) as Record<Source, number>,
});

export function countLines(lines: readonly StoredLine[]): ChunkCounts {
  const c = emptyCounts();
  for (const line of lines) {
    c.byLevel[line.level]++;
    c.bySource[line.source]++;
  }
  return c;
}

/** `d,i,w,e,c;o,a,t,s`: counts in the order of the level and source lists. */
export function encodeCounts(c: ChunkCounts): string {
  return `${SESSION_LOG_LEVELS.map((l) => c.byLevel[l]).join(',')};${SESSION_LOG_SOURCES.map((s) => c.bySource[s]).join(',')}`;
}

/** null when the header is missing or not ours. */
export function decodeCounts(header: string | undefined | null): ChunkCounts | null {
  const m = /^(\d+(?:,\d+){4});(\d+(?:,\d+){3})$/.exec(header ?? '');
  if (!m) return null;
  const levels = m[1]!.split(',').map(Number);
  const sources = m[2]!.split(',').map(Number);
  const c = emptyCounts();
  SESSION_LOG_LEVELS.forEach((l, i) => (c.byLevel[l] = levels[i]!));
  SESSION_LOG_SOURCES.forEach((s, i) => (c.bySource[s] = sources[i]!));
  return c;
}

export function addCounts(into: ChunkCounts, c: ChunkCounts): ChunkCounts {
  for (const l of SESSION_LOG_LEVELS) into.byLevel[l] += c.byLevel[l];
  for (const s of SESSION_LOG_SOURCES) into.bySource[s] += c.bySource[s];
  return into;
}

export interface EncodedChunk {
  data: Uint8Array;
  counts: ChunkCounts;
  lines: number;
}

/**
 * Cuts the lines into chunks of at most `targetBytes` of JSON each, in order. One line is never
 * split (a line is far smaller than a chunk: its message and context are bounded).
 */
export function encodeChunks(lines: readonly StoredLine[], targetBytes = CHUNK_TARGET_BYTES): EncodedChunk[] {
  const chunks: EncodedChunk[] = [];
  let current: string[] = [];
  let currentLines: StoredLine[] = [];
  let size = 0;
  const flush = () => {
    if (current.length === 0) return;
    chunks.push({ data: encoder.encode(`{"v":1,"lines":[${current.join(',')}]}`), counts: countLines(currentLines), lines: current.length });
    current = [];
    currentLines = [];
    size = 0;
  };
  for (const line of lines) {
    const json = JSON.stringify(line);
    const bytes = Buffer.byteLength(json) + 1;
    if (size + bytes > targetBytes) flush();
    current.push(json);
    currentLines.push(line);
    size += bytes;
  }
  flush();
  return chunks;
}

/** The lines of a stored chunk, or null when the message is not a chunk (garbage is skipped, never fatal). */
export function decodeChunk(data: Uint8Array): StoredLine[] | null {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch {
    return null;
  }
  const parsed = StoredChunk.safeParse(json);
  return parsed.success ? (parsed.data.lines as StoredLine[]) : null;
}
