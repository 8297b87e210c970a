import escapeHtml from 'escape-html';

/** Markup that is already safe: produced by `html` or `raw`. Anything else is text and gets escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Html = SafeHtml;
type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false || part === true) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/**
 * Tagged template that escapes every interpolated value unless it is `SafeHtml`. Result names,
 * error messages and event details come from the system under test (an error page can echo
 * `<script>`), so the safe path must be the default one, not a call someone can forget.
 * Attribute values must be quoted in the template; escape-html escapes both quote kinds.
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Trusts a string as markup. Only for text this code built itself (CSS, the inline script, SVG numbers). */
export function raw(s: string): SafeHtml {
  return new SafeHtml(s);
}

export function join(parts: readonly SafeHtml[], sep = ''): SafeHtml {
  return new SafeHtml(parts.map((p) => p.value).join(sep));
}

/** An attribute-safe anchor for a result; the index keeps ids unique that sanitize to the same text. */
export function anchorId(id: string, index: number): string {
  return `r${index}-${id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60)}`;
}
