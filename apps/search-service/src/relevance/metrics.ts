/** Ranking metrics for the relevance suite and the recall measurement. */

/** Share of the exact top-k that the approximate top-k also holds (1 when exact has none). */
export function recallAt(exact: string[], approx: string[], k: number): number {
  const want = exact.slice(0, k);
  if (want.length === 0) return 1;
  const got = new Set(approx.slice(0, k));
  return want.filter((id) => got.has(id)).length / want.length;
}

/**
 * nDCG@k with graded gains (2^rel − 1) and log2 discounts; `judged` maps a document to its grade
 * (0 or absent: not relevant). A query with nothing relevant scores 1 when it returns nothing.
 */
export function ndcgAt(ranked: string[], judged: Record<string, number>, k: number): number {
  const gain = (rel: number) => 2 ** rel - 1;
  const dcg = ranked.slice(0, k).reduce((sum, id, i) => sum + gain(judged[id] ?? 0) / Math.log2(i + 2), 0);
  const ideal = Object.values(judged)
    .filter((r) => r > 0)
    .sort((a, b) => b - a)
    .slice(0, k)
    .reduce((sum, rel, i) => sum + gain(rel) / Math.log2(i + 2), 0);
  if (ideal === 0) return ranked.length === 0 ? 1 : 0;
  return dcg / ideal;
}
