import type { BrowserContext, Request, Route } from 'playwright';
import { parseFaroBeacon } from './faro.ts';
import type { Vital } from './web-vitals.ts';

export interface RequestIdRecord {
  id: string;
  /** `firedrill` when the runtime stamped it, `app` when the page's own code had already set one. */
  source: 'firedrill' | 'app';
  method: string;
  url: string;
}

export interface RoutingOptions {
  runId: string;
  /** Origins whose requests get an id; top-level navigations add their origin as they happen. */
  appOrigins?: readonly string[];
  /** Collector URL prefix, when known. Without it, any POST whose JSON body is Faro-shaped counts. */
  faroUrl?: string;
  /**
   * `absorb` answers beacons in the browser, so synthetic runs stay out of real-user dashboards
   * and a missing collector costs nothing; `forward` also delivers them to the real collector.
   */
  faro: 'absorb' | 'forward';
}

function originOf(url: string): string | undefined {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function isTopLevelNavigation(request: Request): boolean {
  try {
    return request.isNavigationRequest() && request.frame().parentFrame() === null;
  } catch {
    // Service-worker requests have no frame.
    return false;
  }
}

/**
 * One route handler for every request of a context: one interception round trip per request,
 * never two. It stamps `X-Request-ID: <runId>-b<n>` on the app's requests, leaves requests that
 * already carry an id alone (the frontend's own ids must reach the backend logs unchanged) but
 * records them too, and reads Faro beacons.
 */
export class RequestRouter {
  readonly requestIds: RequestIdRecord[] = [];
  readonly faro = { beacons: 0, vitals: {} as Partial<Record<Vital, number>>, errors: [] as string[] };
  readonly #opts: RoutingOptions;
  readonly #appOrigins: Set<string>;
  #next = 1;
  #taken = 0;

  constructor(opts: RoutingOptions) {
    this.#opts = opts;
    this.#appOrigins = new Set(opts.appOrigins?.map((o) => originOf(o)).filter((o) => o !== undefined));
  }

  async install(context: BrowserContext): Promise<void> {
    await context.route('**/*', (route, request) => this.#handle(route, request));
  }

  /** Ids recorded since the previous call, so a runner can attach them to the step that caused them. */
  takeRequestIds(): string[] {
    const ids = this.requestIds.slice(this.#taken).map((r) => r.id);
    this.#taken = this.requestIds.length;
    return ids;
  }

  async #handle(route: Route, request: Request): Promise<void> {
    try {
      const url = request.url();
      if (request.method() === 'POST' && this.#mayBeFaro(url)) {
        const beacon = parseFaroBeacon(request.postData());
        if (beacon) {
          this.faro.beacons++;
          for (const { name, value } of beacon.vitals)
            this.faro.vitals[name] = Math.max(this.faro.vitals[name] ?? 0, value);
          this.faro.errors.push(...beacon.errors);
          return await this.#answerBeacon(route, request);
        }
      }
      const origin = originOf(url);
      if (origin && isTopLevelNavigation(request)) this.#appOrigins.add(origin);
      if (!origin || !this.#appOrigins.has(origin)) return await route.fallback();
      const headers = request.headers();
      const own = headers['x-request-id'];
      if (own) {
        this.requestIds.push({ id: own, source: 'app', method: request.method(), url });
        return await route.fallback();
      }
      const id = `${this.#opts.runId}-b${this.#next++}`;
      this.requestIds.push({ id, source: 'firedrill', method: request.method(), url });
      await route.fallback({ headers: { ...headers, 'x-request-id': id } });
    } catch {
      // The context closed while the request was paused (abort, crash): nothing left to answer.
    }
  }

  #mayBeFaro(url: string): boolean {
    return this.#opts.faroUrl ? url.startsWith(this.#opts.faroUrl) : true;
  }

  async #answerBeacon(route: Route, request: Request): Promise<void> {
    if (this.#opts.faro === 'forward') {
      try {
        return await route.fulfill({ response: await route.fetch({ timeout: 5000 }) });
      } catch {
        // Collector down: answer locally so the page's SDK does not retry into the run's timings.
      }
    }
    // Beacons are cross-origin fetches: without these headers the SDK sees a CORS failure.
    const origin = (await request.headerValue('origin')) ?? '*';
    await route.fulfill({
      status: 202,
      contentType: 'application/json',
      headers: { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' },
      body: '{}',
    });
  }
}
