import { readFile, writeFile } from 'node:fs/promises';
import { unzipSync, zipSync } from 'fflate';
import type { BrowserContext } from 'playwright';

export const REDACTED = '[REDACTED]';

/**
 * A Playwright trace holds what the probe typed three times over: the `fill` action's value,
 * the input's value in every DOM snapshot, and the login request's body. Failure artifacts end
 * up in CI artifacts and HTML reports, so known secrets are replaced before the file is kept.
 * Spellings cover raw text, JSON string escapes and URL encoding (form bodies, query strings).
 */
function spellings(secrets: readonly string[]): Buffer[] {
  const out = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    out.add(s);
    out.add(JSON.stringify(s).slice(1, -1));
    out.add(encodeURIComponent(s));
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length).map((s) => Buffer.from(s, 'utf8'));
}

function replaceAll(data: Buffer, needles: readonly Buffer[]): { data: Buffer; count: number } {
  let count = 0;
  let current = data;
  const replacement = Buffer.from(REDACTED);
  for (const needle of needles) {
    let at = current.indexOf(needle);
    if (at < 0) continue;
    const parts: Buffer[] = [];
    let from = 0;
    while (at >= 0) {
      parts.push(current.subarray(from, at), replacement);
      count++;
      from = at + needle.length;
      at = current.indexOf(needle, from);
    }
    parts.push(current.subarray(from));
    current = Buffer.concat(parts);
  }
  return { data: current, count };
}

export function redactText(text: string, secrets: readonly string[]): string {
  return replaceAll(Buffer.from(text, 'utf8'), spellings(secrets)).data.toString('utf8');
}

/** Images are left alone: a secret's bytes inside compressed pixels would be chance, and editing them would break the image. */
const BINARY = /\.(png|jpe?g|webp|gif|avif|ico|woff2?)$/i;

/** Rewrites the zip in place; returns how many occurrences were replaced. */
export async function redactZip(path: string, secrets: readonly string[]): Promise<number> {
  const needles = spellings(secrets);
  if (needles.length === 0) return 0;
  const entries = unzipSync(await readFile(path));
  let total = 0;
  for (const [name, content] of Object.entries(entries)) {
    if (BINARY.test(name)) continue;
    const { data, count } = replaceAll(
      Buffer.from(content.buffer, content.byteOffset, content.byteLength),
      needles,
    );
    if (count > 0) {
      entries[name] = new Uint8Array(data);
      total += count;
    }
  }
  if (total > 0) await writeFile(path, zipSync(entries, { level: 6 }));
  return total;
}

const SECRET_BINDING = '__firedrill_secret';

/**
 * Shorter values would blank out ordinary text all over the artifacts; a real password is longer.
 */
const MIN_TYPED_SECRET = 4;

/**
 * Whatever the probe typed into a password field, so kept artifacts are redacted even when the
 * runner passed no `secrets`. Keyed per field, keeping its latest value: typing character by
 * character must not turn every prefix ("d", "de", …) into a secret.
 */
export class TypedSecrets {
  readonly #values = new Map<string, string>();

  async install(context: BrowserContext): Promise<void> {
    await Promise.all([
      context.exposeBinding(SECRET_BINDING, (_source, key: unknown, value: unknown) => {
        if (typeof key === 'string' && typeof value === 'string') this.#values.set(key, value);
      }),
      context.addInitScript({
        content: `(() => {
  const ids = new WeakMap();
  let n = 0;
  document.addEventListener('input', (e) => {
    const el = e.target;
    if (!(el instanceof HTMLInputElement) || el.type !== 'password') return;
    if (!ids.has(el)) ids.set(el, ++n);
    const f = window.${SECRET_BINDING};
    if (typeof f === 'function') f(performance.timeOrigin + ':' + ids.get(el), el.value).catch(() => {});
  }, true);
})();`,
      }),
    ]);
  }

  values(): string[] {
    return [...this.#values.values()].filter((v) => v.length >= MIN_TYPED_SECRET);
  }
}
