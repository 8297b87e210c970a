import type { BrowserContext, CDPSession, Page } from 'playwright';
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
   * and a missing collector costs nothing; `forward` lets them through to the real collector.
   */
  faro: 'absorb' | 'forward';
}

/** The parts of CDP's `Fetch.requestPaused` this module reads. */
interface RequestPaused {
  requestId: string;
  frameId: string;
  resourceType: string;
  request: {
    url: string;
    method: string;
    headers: Record<string, string>;
    postData?: string;
    postDataEntries?: Array<{ bytes?: string }>;
  };
}

function originOf(url: string): string | undefined {
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? undefined : origin;
  } catch {
    return undefined;
  }
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function bodyOf(e: RequestPaused): string | undefined {
  if (e.request.postDataEntries?.length) {
    return e.request.postDataEntries
      .map((p) => Buffer.from(p.bytes ?? '', 'base64').toString('utf8'))
      .join('');
  }
  return e.request.postData;
}

/**
 * Stamps `X-Request-ID: <runId>-b<n>` on the app's requests, leaves requests that already carry
 * an id alone (the frontend's own ids must reach the backend logs unchanged) but records them
 * too, and reads Faro beacons.
 *
 * It talks to Chromium's Fetch domain on its own CDP session rather than through
 * `context.route`: Playwright's routing pairs every paused request with its network events and
 * hands it to the client and back, which measured about +8–35 % on a login flow on a loaded
 * 2-core machine; a bare Fetch handler was within noise of no interception at all (bench/).
 * The price: a popup's very first request can leave before its session is attached.
 */
export class RequestRouter {
  readonly requestIds: RequestIdRecord[] = [];
  readonly faro = { beacons: 0, vitals: {} as Partial<Record<Vital, number>>, errors: [] as string[] };
  readonly #opts: RoutingOptions;
  readonly #appOrigins: Set<string>;
  readonly #attached = new WeakMap<Page, Promise<void>>();
  #next = 1;
  #taken = 0;

  constructor(opts: RoutingOptions) {
    this.#opts = opts;
    this.#appOrigins = new Set(opts.appOrigins?.map((o) => originOf(o)).filter((o) => o !== undefined));
  }

  /** Covers pages the probe opens later (popups, `context.newPage()`). */
  install(context: BrowserContext): void {
    context.on('page', (page) => void this.attach(page).catch(() => {}));
  }

  /** Intercepts one page's requests; await it for the first page, before it navigates. */
  attach(page: Page): Promise<void> {
    let attached = this.#attached.get(page);
    if (!attached) {
      attached = this.#attach(page);
      this.#attached.set(page, attached);
    }
    return attached;
  }

  /** Ids recorded since the previous call, so a runner can attach them to the step that caused them. */
  takeRequestIds(): string[] {
    const ids = this.requestIds.slice(this.#taken).map((r) => r.id);
    this.#taken = this.requestIds.length;
    return ids;
  }

  async #attach(page: Page): Promise<void> {
    const cdp = await page.context().newCDPSession(page);
    let mainFrameId: string | undefined;
    cdp.on('Fetch.requestPaused', (e: RequestPaused) => void this.#paused(cdp, e, mainFrameId));
    const [tree] = await Promise.all([
      cdp.send('Page.getFrameTree'),
      cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] }),
    ]);
    mainFrameId = tree.frameTree.frame.id;
  }

  async #paused(cdp: CDPSession, e: RequestPaused, mainFrameId: string | undefined): Promise<void> {
    try {
      const { url, method, headers } = e.request;
      // Chromium reports preflights with the resource type of the request they guard; only the
      // browser itself may set Access-Control-Request-Method, so that header tells them apart.
      if (method === 'OPTIONS' && headerValue(headers, 'access-control-request-method')) {
        if (this.#mayBeFaro(url)) return await this.#answerPreflight(cdp, e);
        return await this.#continue(cdp, e);
      }
      if (method === 'POST' && this.#mayBeFaro(url)) {
        // Beacons are small enough that Chromium sends their body inline with the paused event.
        const beacon = parseFaroBeacon(bodyOf(e) ?? null);
        if (beacon) {
          this.faro.beacons++;
          for (const { name, value } of beacon.vitals) {
            this.faro.vitals[name] = Math.max(this.faro.vitals[name] ?? 0, value);
          }
          this.faro.errors.push(...beacon.errors);
          if (this.#opts.faro === 'absorb') return await this.#absorbBeacon(cdp, e);
          return await this.#continue(cdp, e);
        }
      }
      const origin = originOf(url);
      if (origin && e.resourceType === 'Document' && e.frameId === mainFrameId) this.#appOrigins.add(origin);
      if (!origin || !this.#appOrigins.has(origin)) {
        return await this.#continue(cdp, e);
      }
      const own = headerValue(headers, 'x-request-id');
      if (own) {
        this.requestIds.push({ id: own, source: 'app', method, url });
        return await this.#continue(cdp, e);
      }
      const id = `${this.#opts.runId}-b${this.#next++}`;
      this.requestIds.push({ id, source: 'firedrill', method, url });
      const stamped = Object.entries(headers).map(([name, value]) => ({ name, value }));
      stamped.push({ name: 'X-Request-ID', value: id });
      await this.#continue(cdp, e, stamped);
    } catch {
      // The page or context closed while the request was paused (abort, crash): nothing to answer.
    }
  }

  #mayBeFaro(url: string): boolean {
    return this.#opts.faroUrl ? url.startsWith(this.#opts.faroUrl) : true;
  }

  async #continue(cdp: CDPSession, e: RequestPaused, headers?: Array<{ name: string; value: string }>) {
    await cdp.send('Fetch.continueRequest', { requestId: e.requestId, ...(headers ? { headers } : {}) });
  }

  /**
   * A beacon to another origin is preceded by a CORS preflight, which cannot be told apart from
   * any other before the body is seen. Without a configured `faroUrl`, every preflight is answered
   * permissively (as Playwright's own routing does), so a collector that does not exist still
   * lets the beacon through to us; with one, only the collector's.
   */
  async #answerPreflight(cdp: CDPSession, e: RequestPaused): Promise<void> {
    const h = e.request.headers;
    const responseHeaders = [
      { name: 'Access-Control-Allow-Origin', value: headerValue(h, 'origin') ?? '*' },
      {
        name: 'Access-Control-Allow-Methods',
        value: headerValue(h, 'access-control-request-method') ?? 'POST',
      },
      { name: 'Access-Control-Allow-Credentials', value: 'true' },
    ];
    const askedHeaders = headerValue(h, 'access-control-request-headers');
    if (askedHeaders) responseHeaders.push({ name: 'Access-Control-Allow-Headers', value: askedHeaders });
    await cdp.send('Fetch.fulfillRequest', {
      requestId: e.requestId,
      responseCode: 204,
      responseHeaders,
      body: '',
    });
  }

  async #absorbBeacon(cdp: CDPSession, e: RequestPaused): Promise<void> {
    await cdp.send('Fetch.fulfillRequest', {
      requestId: e.requestId,
      responseCode: 202,
      responseHeaders: [
        { name: 'Content-Type', value: 'application/json' },
        { name: 'Access-Control-Allow-Origin', value: headerValue(e.request.headers, 'origin') ?? '*' },
        { name: 'Access-Control-Allow-Credentials', value: 'true' },
      ],
      body: Buffer.from('{}').toString('base64'),
    });
  }
}
