import { parse as parseYaml } from 'yaml';
import type { AlertmanagerClient } from '../clients/alertmanager.ts';

/** One Alertmanager label matcher: `severity="critical"`, `alertname!="AppDown"`, `job=~"demo.*"`. */
interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

interface InhibitRule {
  source: Matcher[];
  target: Matcher[];
  equal: string[];
}

interface RawInhibitRule {
  source_matchers?: string[];
  target_matchers?: string[];
  // The pre-0.22 spelling, still accepted by Alertmanager.
  source_match?: Record<string, string>;
  target_match?: Record<string, string>;
  source_match_re?: Record<string, string>;
  target_match_re?: Record<string, string>;
  equal?: string[];
}

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^,}\s]*))\s*$/;

export function parseMatcher(text: string): Matcher | undefined {
  const m = MATCHER.exec(text);
  if (!m) return undefined;
  return {
    name: m[1]!,
    op: m[2] as Matcher['op'],
    value: m[3] !== undefined ? JSON.parse(`"${m[3]}"`) : m[4]!,
  };
}

function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(v);
    default:
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

/** The inhibit rules of an Alertmanager config (YAML), in either spelling. */
export function inhibitRules(configYaml: string): InhibitRule[] {
  const cfg = (parseYaml(configYaml) ?? {}) as { inhibit_rules?: RawInhibitRule[] };
  const eq = (o: Record<string, string> = {}, op: Matcher['op']) =>
    Object.entries(o).map(([name, value]) => ({ name, op, value }));
  return (cfg.inhibit_rules ?? []).map((r) => ({
    source: [
      ...(r.source_matchers ?? []).flatMap((t) => parseMatcher(t) ?? []),
      ...eq(r.source_match, '='),
      ...eq(r.source_match_re, '=~'),
    ],
    target: [
      ...(r.target_matchers ?? []).flatMap((t) => parseMatcher(t) ?? []),
      ...eq(r.target_match, '='),
      ...eq(r.target_match_re, '=~'),
    ],
    equal: r.equal ?? [],
  }));
}

/**
 * Active alerts that would inhibit an alert with `labels`. With `exact` (an alert firedrill
 * injects itself) a label it lacks is empty, as Alertmanager reads it; otherwise `labels` are
 * only what the drill knows of a rule's alert (its name, the labels it expects), and a label the
 * two must share (`equal`) whose value it cannot know yet counts as shared: the alert is the
 * app's, and so, most likely, is the source.
 */
export function inhibitors(
  rules: readonly InhibitRule[],
  active: readonly { labels: Record<string, string> }[],
  labels: Record<string, string>,
  exact = false,
): string[] {
  const out = new Set<string>();
  for (const rule of rules) {
    if (!rule.target.every((m) => matches(m, labels))) continue;
    for (const a of active) {
      if (a.labels.alertname === labels.alertname) continue;
      if (!rule.source.every((m) => matches(m, a.labels))) continue;
      const shares = rule.equal.every((l) =>
        labels[l] === undefined && !exact ? true : (labels[l] ?? '') === (a.labels[l] ?? ''),
      );
      if (shares) out.add(a.labels.alertname ?? JSON.stringify(a.labels));
    }
  }
  return [...out];
}

/** What Alertmanager holds now that would silence the drill's notification, by alert name. */
export async function activeInhibitors(
  am: AlertmanagerClient,
  labels: Record<string, string>,
  exact: boolean,
  signal?: AbortSignal,
): Promise<string[]> {
  const rules = inhibitRules((await am.status(signal)).config.original);
  if (rules.length === 0) return [];
  const active = (await am.alerts({ active: true }, signal)).filter((a) => Date.parse(a.endsAt) > Date.now());
  return inhibitors(rules, active, labels, exact);
}
