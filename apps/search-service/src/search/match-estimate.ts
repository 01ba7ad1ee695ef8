import type { DataSource } from 'typeorm';

/**
 * How common a query's matches are, from the statistics Postgres keeps on the vector column
 * (`pg_stats.most_common_elems`: the share of rows holding each frequent lexeme). The planner's
 * own estimate treats the words of a phrase as independent and can be off by 5-20× on words that
 * go together, which is the difference between a 3 ms and a 100 ms plan; this one errs the
 * other way (as common as the rarest word), and the walk it then picks is capped.
 */
export class MatchEstimator {
  private freqs = new Map<string, number>();
  private floor = 0;
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly refreshMs = 10 * 60_000,
  ) {}

  /** Fraction of rows expected to match `tsquery` (its text form); null when no statistics exist yet. */
  async fraction(tsquery: string): Promise<number | null> {
    if (Date.now() - this.loadedAt > this.refreshMs) {
      this.loading ??= this.load().finally(() => (this.loading = null));
      if (this.loadedAt === 0) await this.loading;
    }
    if (this.freqs.size === 0) return null;
    return estimate(tsquery, (lexeme) => this.freqs.get(lexeme) ?? this.floor / 2);
  }

  private async load(): Promise<void> {
    const rows: Array<{ elems: string[] | null; freqs: number[] | null }> = await this.ds.query(
      `SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs FROM pg_stats
       WHERE schemaname = current_schema() AND tablename = 'orchestration_events' AND attname = 'search_vector'`,
    );
    this.loadedAt = Date.now();
    const { elems, freqs } = rows[0] ?? { elems: null, freqs: null };
    if (!elems || !freqs) return;
    this.freqs = new Map(elems.map((e, i) => [e, freqs[i]!]));
    this.floor = freqs[elems.length] ?? 0; // the minimum listed frequency follows the list
  }
}

/**
 * Estimate over the tsquery text without building its tree: OR sums, AND and phrases count as
 * their rarest word, and a negated word narrows nothing.
 */
export function estimate(tsquery: string, freq: (lexeme: string) => number): number {
  const alternatives = splitTop(tsquery, '|');
  if (alternatives.length > 1) return Math.min(1, alternatives.reduce((s, a) => s + estimate(a, freq), 0));
  const words: number[] = [];
  for (const m of tsquery.matchAll(/(!?)\s*'((?:[^']|'')*)'/g)) if (m[1] !== '!') words.push(freq(m[2]!.replace(/''/g, "'")));
  if (words.length === 0) return 1;
  // AND and phrases: as common as the rarest word. Words searched together tend to occur together
  // (the planner's independence assumption underestimates "retry backoff" 20×); when they do not,
  // the walk's cap bounds the cost of the mistake.
  return Math.min(...words);
}

/** Splits on `op` outside parentheses and quotes. */
function splitTop(text: string, op: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === op) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}
