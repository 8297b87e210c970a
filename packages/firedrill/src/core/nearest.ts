import { distance } from 'fastest-levenshtein';

/**
 * The known name a mistyped one was most likely meant to be, for "did you mean …?": the closest
 * by edit distance, if it is close enough (a quarter of the name's length, at least 2 edits) to
 * be a typo rather than another name altogether.
 */
export function nearestName(name: string, among: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 4));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of among) {
    if (candidate === name) continue;
    const d = distance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
