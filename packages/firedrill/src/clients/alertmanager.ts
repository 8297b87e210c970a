import { parse as parseYaml } from 'yaml';
import { tryParseDuration } from '../core/duration.ts';
import type {
  AmAlert,
  AmReceiver,
  AmRouteTiming,
  AmSilence,
  AmStatus,
  PostableAlert,
} from './alertmanager-types.ts';
import { type HttpClientOptions, requestJson } from './http-types.ts';

export type * from './alertmanager-types.ts';

interface RawRoute {
  receiver?: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  matchers?: string[];
  continue?: boolean;
  routes?: RawRoute[];
}

// Alertmanager's defaults for a route that sets nothing (config/config.go).
const DEFAULTS = { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 14_400_000 };

type Matcher = (labels: Record<string, string>) => boolean;

// `name="value"`, `name=~"re"`, `name!="v"`, `name!~"re"`, value quoted or bare, as amtool writes them.
const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|(.*?))\s*$/;

export function parseMatcher(text: string): Matcher {
  const m = MATCHER.exec(text.replace(/^\{|\}$/g, ''));
  if (!m) throw new Error(`unreadable Alertmanager matcher ${JSON.stringify(text)}`);
  const [, name, op, quoted, bare] = m;
  const value = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '');
  // Alertmanager anchors regex matchers at both ends.
  const re = op === '=~' || op === '!~' ? new RegExp(`^(?:${value})$`) : undefined;
  return (labels) => {
    const v = labels[name!] ?? '';
    if (op === '=') return v === value;
    if (op === '!=') return v !== value;
    if (op === '=~') return re!.test(v);
    return !re!.test(v);
  };
}

function routeMatchers(route: RawRoute): Matcher[] {
  const out: Matcher[] = [];
  for (const [k, v] of Object.entries(route.match ?? {})) out.push((l) => (l[k] ?? '') === v);
  for (const [k, v] of Object.entries(route.match_re ?? {})) {
    const re = new RegExp(`^(?:${v})$`);
    out.push((l) => re.test(l[k] ?? ''));
  }
  for (const m of route.matchers ?? []) out.push(parseMatcher(m));
  return out;
}

/**
 * Walks Alertmanager's routing tree as it does (first matching child wins unless `continue`)
 * and returns the timing and receiver of every route the alert lands on, children inheriting
 * from parents.
 */
export function routeTimings(configYaml: string, labels: Record<string, string>): AmRouteTiming[] {
  const cfg = (parseYaml(configYaml) ?? {}) as { route?: RawRoute };
  if (!cfg.route) return [];
  const out: AmRouteTiming[] = [];
  const walk = (route: RawRoute, parent: AmRouteTiming): void => {
    const own: AmRouteTiming = {
      receiver: route.receiver ?? parent.receiver,
      groupBy: route.group_by ?? parent.groupBy,
      groupWaitMs: tryParseDuration(route.group_wait) ?? parent.groupWaitMs,
      groupIntervalMs: tryParseDuration(route.group_interval) ?? parent.groupIntervalMs,
      repeatIntervalMs: tryParseDuration(route.repeat_interval) ?? parent.repeatIntervalMs,
    };
    let matchedChild = false;
    for (const child of route.routes ?? []) {
      if (!routeMatchers(child).every((m) => m(labels))) continue;
      walk(child, own);
      matchedChild = true;
      if (!child.continue) break;
    }
    if (!matchedChild) out.push(own);
  };
  walk(cfg.route, { receiver: '', groupBy: [], ...DEFAULTS });
  return out;
}
interface RawReceiver {
  name: string;
  slack_configs?: { channel?: string; send_resolved?: boolean }[];
  webhook_configs?: { url?: string; send_resolved?: boolean }[];
  email_configs?: { to?: string; send_resolved?: boolean }[];
  [integration: string]: unknown;
}

/**
 * What each receiver of the live config sends to. Alertmanager's own defaults apply where the
 * config is silent: `send_resolved` is false for Slack and email, true for webhooks.
 */
export function receivers(configYaml: string): Map<string, AmReceiver> {
  const cfg = (parseYaml(configYaml) ?? {}) as { receivers?: RawReceiver[] };
  const out = new Map<string, AmReceiver>();
  for (const r of cfg.receivers ?? []) {
    out.set(r.name, {
      name: r.name,
      slack: (r.slack_configs ?? []).map((c) => ({
        ...(c.channel ? { channel: c.channel } : {}),
        sendResolved: c.send_resolved ?? false,
      })),
      webhooks: (r.webhook_configs ?? []).map((c) => ({
        url: c.url ?? '',
        sendResolved: c.send_resolved ?? true,
      })),
      email: (r.email_configs ?? []).map((c) => ({ to: c.to ?? '', sendResolved: c.send_resolved ?? false })),
      integrations: Object.keys(r).filter((k) => k.endsWith('_configs')),
    });
  }
  return out;
}

/** Alertmanager's silence matching: every matcher must hold (regexes anchored, as it does). */
export function silenceMatches(silence: AmSilence, labels: Record<string, string>): boolean {
  return silence.matchers.every((m) => {
    const v = labels[m.name] ?? '';
    const hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(v) : v === m.value;
    return (m.isEqual ?? true) ? hit : !hit;
  });
}

export interface AlertQuery {
  /** Matchers like `alertname="HighApiErrorRate"`, ANDed. */
  filter?: string[];
  active?: boolean;
  silenced?: boolean;
  inhibited?: boolean;
  receiver?: string;
}

/** Alertmanager API v2. */
export class AlertmanagerClient {
  constructor(
    readonly opts: HttpClientOptions,
    /** Path of the v2 API under the base URL; Grafana serves the same API elsewhere. */
    private readonly apiPath = '/api/v2',
  ) {}

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  alerts(q: AlertQuery = {}, signal?: AbortSignal): Promise<AmAlert[]> {
    return requestJson<AmAlert[]>(this.opts, `${this.apiPath}/alerts`, {
      query: {
        filter: q.filter,
        active: q.active === undefined ? undefined : String(q.active),
        silenced: q.silenced === undefined ? undefined : String(q.silenced),
        inhibited: q.inhibited === undefined ? undefined : String(q.inhibited),
        receiver: q.receiver,
      },
      ...(signal ? { signal } : {}),
    });
  }

  /** Injects alerts as a Prometheus would; Alertmanager answers 200 with an empty body. */
  async postAlerts(alerts: PostableAlert[], signal?: AbortSignal): Promise<void> {
    await requestJson(this.opts, `${this.apiPath}/alerts`, {
      method: 'POST',
      body: alerts,
      ...(signal ? { signal } : {}),
    });
  }

  status(signal?: AbortSignal): Promise<AmStatus> {
    return requestJson<AmStatus>(this.opts, `${this.apiPath}/status`, signal ? { signal } : {});
  }

  silences(signal?: AbortSignal): Promise<AmSilence[]> {
    return requestJson<AmSilence[]>(this.opts, `${this.apiPath}/silences`, signal ? { signal } : {});
  }

  /** Timing of the routes an alert with these labels lands on, from the live config. */
  async routeTimings(labels: Record<string, string>, signal?: AbortSignal): Promise<AmRouteTiming[]> {
    return routeTimings((await this.status(signal)).config.original, labels);
  }
}
