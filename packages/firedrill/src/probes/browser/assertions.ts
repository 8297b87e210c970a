/**
 * A probe's "the app did the wrong thing", as opposed to a timeout or a crash: results record it
 * as a failure of type `assertion`, with a message meant for the person reading the report.
 */
export class ProbeAssertionError extends Error {
  override name = 'ProbeAssertionError';
  readonly type = 'assertion';
}

/** Quotes page text for an error message: trimmed, one line, bounded. */
export function quoteText(text: string | null | undefined, max = 200): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max)}…` : flat);
}
