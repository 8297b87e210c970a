import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny page server for runtime tests that must not depend on the demo app: a login flow,
 * a page that never answers, a page that throws, and a page posting a Faro-shaped beacon.
 * It records every X-Request-ID it receives so tests can check the stamping rules.
 */
export interface FixtureServer {
  url: string;
  /** `[path, x-request-id or undefined]` for every request, in arrival order. */
  seen: Array<[string, string | undefined]>;
  close(): Promise<void>;
}

const page = (title: string, body: string, script = '') =>
  `<!doctype html><html><head><title>${title}</title></head><body>${body}<script>${script}</script></body></html>`;

const loginPage = page(
  'login',
  `<h1>Sign in</h1><form data-testid="login-form"><input data-testid="username" name="u">
   <input data-testid="password" name="p" type="password"><button data-testid="submit">Sign in</button></form>
   <p data-testid="error" hidden></p>`,
  `document.querySelector('form').addEventListener('submit', async (e) => {
     e.preventDefault();
     const res = await fetch('/api/login', { method: 'POST', headers: { 'x-request-id': 'app-own-1' },
       body: JSON.stringify({ u: document.querySelector('[name=u]').value }) });
     if (res.ok) location.href = '/items' + location.search; else { const p = document.querySelector('[data-testid=error]'); p.hidden = false; p.textContent = 'Invalid credentials'; }
   });`,
);

const itemsPage = (other: string | null) =>
  page(
    'items',
    `<h1 data-testid="user">demo</h1><a data-testid="logout" href="/login">Log out</a>${other ? `<img src="${other}/pixel">` : ''}`,
  );

const boomPage = page(
  'boom',
  '<h1>boom</h1>',
  `console.error('something broke'); setTimeout(() => { throw new Error('kaboom'); }, 0);`,
);

const faroPage = (collector: string) =>
  page(
    'faro',
    '<h1>faro</h1>',
    `fetch(${JSON.stringify(collector)}, { method: 'POST', headers: { 'content-type': 'application/json' },
       body: JSON.stringify({ meta: { app: { name: 'fixture' } },
         measurements: [{ type: 'web-vitals', values: { lcp: 123.5, delta: 123.5 } }, { type: 'web-vitals', values: { cls: 0.02 } }],
         exceptions: [{ type: 'TypeError', value: 'x is undefined' }] }) });`,
  );

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => {
      s += c.toString();
    });
    req.on('end', () => resolve(s));
  });
}

/**
 * A loopback URL nothing listens on: a port just released by the OS. (Low "well-known" ports such
 * as 9 are refused by Chromium itself as unsafe, before any interception could see the request.)
 */
export async function deadLoopbackUrl(path: string): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

export async function startFixtureServer(opts: { failLogin?: () => boolean } = {}): Promise<FixtureServer> {
  const seen: FixtureServer['seen'] = [];
  const hung = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const id = req.headers['x-request-id'];
    seen.push([path, typeof id === 'string' ? id : undefined]);
    const html = (s: string) => res.writeHead(200, { 'content-type': 'text/html' }).end(s);
    if (path === '/login') return html(loginPage);
    if (path === '/items') {
      // Only with the session cookie set by /api/login: proves stamping ids keeps cookies.
      if (!req.headers.cookie?.includes('sid=fixture')) return res.writeHead(401).end('no session');
      return html(itemsPage(new URL(req.url ?? '', 'http://x').searchParams.get('other')));
    }
    if (path === '/pixel') return res.writeHead(204).end();
    if (path === '/boom') return html(boomPage);
    if (path === '/faro')
      return html(faroPage(new URL(req.url ?? '', 'http://x').searchParams.get('c') ?? ''));
    if (path === '/api/login') {
      await readBody(req);
      const ok = !opts.failLogin?.();
      return res
        .writeHead(ok ? 200 : 401, {
          'content-type': 'application/json',
          'set-cookie': 'sid=fixture; Path=/',
        })
        .end(JSON.stringify({ ok }));
    }
    if (path === '/hang') {
      hung.add(res);
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
