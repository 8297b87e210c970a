import type { ClosestMatch } from './slack-message.ts';

export interface SlackApiErrorInfo {
  /** HTTP status; Slack answers most errors with 200 and `ok: false`. */
  status?: number;
  /** What the call was about, e.g. `channel "#nope"`. */
  context?: string;
  /** Slack's `needed` / `provided` scopes on `missing_scope`. */
  needed?: string;
  provided?: string;
}

/**
 * A Slack Web API call that Slack refused. `error` is Slack's own string (`channel_not_found`,
 * `not_authed`, `invalid_auth`, `missing_scope`, `not_in_channel`, …) or, for answers that are
 * not Slack's JSON at all, `http_<status>` / `invalid_response`.
 */
export class SlackApiError extends Error {
  override readonly name = 'SlackApiError';
  readonly status: number | undefined;
  readonly context: string | undefined;

  constructor(
    readonly method: string,
    readonly error: string,
    info: SlackApiErrorInfo = {},
  ) {
    const details = [
      info.context,
      info.needed ? `needed scope: ${info.needed}` : undefined,
      info.provided ? `token has: ${info.provided}` : undefined,
      HINTS[error],
    ].filter(Boolean);
    super(`Slack ${method} failed: ${error}${details.length ? ` (${details.join('; ')})` : ''}`);
    this.status = info.status;
    this.context = info.context;
  }
}

// The errors a misconfigured drill hits first, with what fixes them.
const HINTS: Record<string, string> = {
  not_authed: 'no token was sent: set the Slack bot token',
  invalid_auth: 'the token was rejected',
  not_in_channel: 'invite the bot to the channel to read its history',
};

export interface SlackWaitTimeoutDetails {
  /** The channel as asked for (`#alerts-critical` or an id). */
  channel: string;
  /** Undefined when the channel never turned up in `conversations.list`. */
  channelId: string | undefined;
  /** Human description of what was looked for. */
  looking: string;
  /** Distinct messages seen in the channel since `oldest`. */
  messagesSeen: number;
  closest: ClosestMatch | undefined;
  polls: number;
  waitedMs: number;
  rateLimitedMs: number;
  rateLimited: boolean;
  /** The last transient failure while polling (network error, HTTP 5xx), if any. */
  lastError: string | undefined;
}

/** `waitForMessage` reached its deadline; says what it saw so the report can explain why. */
export class SlackWaitTimeoutError extends Error {
  override readonly name = 'SlackWaitTimeoutError';

  constructor(readonly details: SlackWaitTimeoutDetails) {
    super(describeTimeout(details));
  }
}

function describeTimeout(d: SlackWaitTimeoutDetails): string {
  const where = d.channelId ? `${d.channel} (${d.channelId})` : d.channel;
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  if (!d.channelId) {
    return `Slack channel ${d.channel} was not found within ${secs(d.waitedMs)} (never listed by conversations.list)${
      d.lastError ? `; last error: ${d.lastError}` : ''
    }`;
  }
  const parts = [
    `No Slack message matching ${d.looking} in ${where} within ${secs(d.waitedMs)}: saw ${d.messagesSeen} message(s) in ${d.polls} poll(s)`,
  ];
  if (d.closest) {
    const failed = d.closest.failed.length ? ` (failed: ${d.closest.failed.join(', ')})` : '';
    parts.push(`closest: ${JSON.stringify(d.closest.text)}${failed}`);
  }
  if (d.rateLimited)
    parts.push(`${secs(d.rateLimitedMs)} of it spent waiting on Slack's rate limit (Retry-After)`);
  if (d.lastError) parts.push(`last error: ${d.lastError}`);
  return parts.join('; ');
}
