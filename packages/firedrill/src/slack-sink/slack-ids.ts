import { createHash } from 'node:crypto';

/**
 * Identifiers and timestamps in the formats real Slack uses, so code written against the sink
 * cannot tell it apart from Slack by parsing an id or a `ts`.
 */

// Slack ids are uppercase alphanumerics after a one-letter kind prefix (C = channel).
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** `C` + 10 characters derived from the name: the same channel keeps its id across restarts. */
export function channelIdFor(name: string): string {
  const digest = createHash('sha256').update(`channel:${name}`).digest();
  let id = 'C';
  for (let i = 0; i < 10; i++) id += ID_ALPHABET[digest[i]! % ID_ALPHABET.length];
  return id;
}

export const SINK_TEAM_ID = 'T0F1REDR1L';
export const SINK_USER_ID = 'U0F1REDR1L';
export const SINK_BOT_ID = 'B0F1REDR1L';
export const SINK_APP_ID = 'A0F1REDR1L';
/** Slack gives every incoming webhook its own bot id; one is enough for the sink. */
export const SINK_WEBHOOK_BOT_ID = 'B0WEBH00K1';

/** Channel names as Slack allows them (lowercase, digits, `-`, `_`, `.`; at most 80). */
export function isValidChannelName(name: string): boolean {
  return /^[a-z0-9._-]{1,80}$/.test(name);
}

/** Whether a string looks like a conversation id rather than a name. */
export function looksLikeConversationId(value: string): boolean {
  return /^[CGD][A-Z0-9]{8,}$/.test(value);
}

/** Microseconds since the epoch → Slack's `seconds.micro` string, e.g. `1732650000.000100`. */
export function microsToTs(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  return `${seconds}.${String(fraction).padStart(6, '0')}`;
}

/**
 * Slack's `ts` (or an `oldest`/`latest` argument, which may have fewer decimals or none) →
 * microseconds; undefined when it is not a timestamp at all.
 */
export function tsToMicros(ts: string): number | undefined {
  const m = /^(\d{1,12})(?:\.(\d{0,6})\d*)?$/.exec(ts.trim());
  if (!m) return undefined;
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}
