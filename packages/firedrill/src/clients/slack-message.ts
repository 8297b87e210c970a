/**
 * Slack messages as `conversations.history` returns them, and how firedrill reads them:
 * flattened text for display, and matching that looks where alerting tools put things —
 * Alertmanager's default template puts `[FIRING:1] AlertName …` in `attachments[0].title`,
 * Grafana uses attachments or blocks, hand-written hooks use `text`.
 */

export interface SlackAttachmentField {
  title?: string;
  value?: string;
  short?: boolean;
}

export interface SlackAttachment {
  id?: number;
  fallback?: string;
  color?: string;
  pretext?: string;
  title?: string;
  title_link?: string;
  text?: string;
  fields?: SlackAttachmentField[];
  footer?: string;
  blocks?: SlackBlock[];
  [key: string]: unknown;
}

/** Block Kit is large and open-ended; firedrill only reads the text inside blocks. */
export interface SlackBlock {
  type: string;
  [key: string]: unknown;
}

export interface SlackMessage {
  type: string;
  /** Slack's `seconds.micro` timestamp, unique per channel; also the message id. */
  ts: string;
  text?: string;
  subtype?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  attachments?: SlackAttachment[];
  blocks?: SlackBlock[];
  [key: string]: unknown;
}

/**
 * What to look for. Every given criterion must hold.
 * @example { alertName: 'HighApiErrorRate', resolved: false }
 */
export interface MessageCriteria {
  /** Substring (case-sensitive) or pattern, anywhere in the message incl. attachments and blocks. */
  text?: string | RegExp;
  /** Alert name as a whole word: `HighApiErrorRate` does not match `HighApiErrorRateCritical`. */
  alertName?: string;
  /** The drill's id, e.g. in a `drill_id` label rendered into the message. */
  drillId?: string;
  /** `true`: a `[RESOLVED]` notification; `false`: anything that is not one. */
  resolved?: boolean;
}

export type MessageMatcher = ((message: SlackMessage) => boolean) | MessageCriteria;

/** Epoch ms → Slack's `ts` string (`1732650000.123000`). */
export function epochMsToTs(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(6);
}

/** Slack's `ts` → epoch ms (sub-millisecond digits dropped). */
export function tsToEpochMs(ts: string): number {
  const [seconds = '0', fraction = ''] = ts.split('.');
  return Number(seconds) * 1000 + Math.floor(Number(fraction.padEnd(6, '0').slice(0, 6)) / 1000);
}

/** Orders Slack timestamps exactly (epoch ms would merge messages within one millisecond). */
export function compareTs(a: string, b: string): number {
  const [as = '0', af = ''] = a.split('.');
  const [bs = '0', bf = ''] = b.split('.');
  return Number(as) - Number(bs) || Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0'));
}

const RICH_TEXT_RUNS = new Set(['rich_text_section', 'rich_text_preformatted', 'rich_text_quote']);

/** Every piece of text inside Block Kit blocks, one string per block-level element. */
export function blockTexts(blocks: readonly unknown[] | undefined): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const obj = node as Record<string, unknown>;
    // A rich-text run is split into styled pieces; joined, they read as the sentence posted.
    if (typeof obj.type === 'string' && RICH_TEXT_RUNS.has(obj.type) && Array.isArray(obj.elements)) {
      out.push(obj.elements.map((e) => (isObj(e) && typeof e.text === 'string' ? e.text : '')).join(''));
      return;
    }
    for (const [key, value] of Object.entries(obj)) {
      if (key === 'text' && typeof value === 'string') out.push(value);
      else walk(value);
    }
  };
  walk(blocks ?? []);
  return out.filter((t) => t.trim() !== '');
}

/** The message as one readable string: text, blocks, then each attachment. */
export function messageText(m: SlackMessage): string {
  return textParts(m, false).join('\n');
}

/** Like `messageText` plus every `fallback`, which some senders fill and nothing else. */
function searchableText(m: SlackMessage): string {
  return textParts(m, true).join('\n');
}

function textParts(m: SlackMessage, withFallbacks: boolean): string[] {
  const parts: string[] = [];
  const push = (s: unknown) => {
    if (typeof s === 'string' && s.trim() !== '') parts.push(s);
  };
  push(m.text);
  // Slack shows blocks instead of `text` when both exist; `text` is then often the same words.
  for (const t of blockTexts(m.blocks)) if (t !== m.text) push(t);
  for (const a of m.attachments ?? []) {
    push(a.pretext);
    push(a.title);
    push(a.text);
    for (const f of a.fields ?? []) push([f.title, f.value].filter(Boolean).join(': '));
    for (const t of blockTexts(a.blocks)) push(t);
    if (withFallbacks || (!a.title && !a.text && !a.fields?.length && !a.blocks?.length)) push(a.fallback);
    push(a.footer);
  }
  return parts;
}

/**
 * `firing` / `resolved` from the `[FIRING:n]` / `[RESOLVED]` markers Alertmanager's and
 * Grafana's default templates put in the title; undefined when neither appears.
 */
export function alertStatus(m: SlackMessage): 'firing' | 'resolved' | undefined {
  const head = m.attachments?.find((a) => a.title)?.title ?? searchableText(m).split('\n')[0] ?? '';
  const statusOf = (s: string) =>
    /\[FIRING(?::\d+)?\]/i.test(s) ? 'firing' : /\[RESOLVED\]/i.test(s) ? 'resolved' : undefined;
  return statusOf(head) ?? statusOf(searchableText(m));
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Names of the criteria a message fails; empty when it matches. */
export function failedCriteria(m: SlackMessage, c: MessageCriteria): string[] {
  const text = searchableText(m);
  const failed: string[] = [];
  if (c.text !== undefined) {
    if (typeof c.text === 'string') {
      if (!text.includes(c.text)) failed.push('text');
    } else {
      c.text.lastIndex = 0; // a /g or /y pattern keeps state between test() calls
      if (!c.text.test(text)) failed.push('text');
    }
  }
  if (c.alertName !== undefined) {
    // Prometheus alert names are [a-zA-Z0-9_:]; a neighbour of those means a different name.
    const re = new RegExp(`(?:^|[^A-Za-z0-9_:])${escapeRegExp(c.alertName)}(?:$|[^A-Za-z0-9_:])`);
    if (!re.test(text)) failed.push('alertName');
  }
  if (c.drillId !== undefined && !text.includes(c.drillId)) failed.push('drillId');
  if (c.resolved !== undefined && (alertStatus(m) === 'resolved') !== c.resolved) failed.push('resolved');
  return failed;
}

export function matchesMessage(m: SlackMessage, matcher: MessageMatcher): boolean {
  return typeof matcher === 'function' ? matcher(m) : failedCriteria(m, matcher).length === 0;
}

/** For error texts: `alertName="X", resolved=true` or `custom predicate`. */
export function describeMatcher(matcher: MessageMatcher): string {
  if (typeof matcher === 'function') return 'a custom predicate';
  const parts = Object.entries(matcher)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v instanceof RegExp ? String(v) : JSON.stringify(v)}`);
  return parts.length ? parts.join(', ') : 'any message';
}

export interface ClosestMatch {
  ts: string;
  /** First 200 characters of `messageText`. */
  text: string;
  /** Criteria the message failed (empty for a predicate matcher). */
  failed: string[];
}

/** The seen message that came nearest: fewest failed criteria, the newest on a tie. */
export function closestMatch(
  messages: readonly SlackMessage[],
  matcher: MessageMatcher,
): ClosestMatch | undefined {
  let best: ClosestMatch | undefined;
  for (const m of [...messages].sort((a, b) => compareTs(b.ts, a.ts))) {
    const failed = typeof matcher === 'function' ? [] : failedCriteria(m, matcher);
    if (!best || failed.length < best.failed.length) {
      const text = messageText(m).replace(/\s+/g, ' ').trim();
      best = { ts: m.ts, text: text.length > 200 ? `${text.slice(0, 199)}…` : text, failed };
    }
  }
  return best;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
