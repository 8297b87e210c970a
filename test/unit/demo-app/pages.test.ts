import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrontend, PAGE_ENTRIES } from '../../../demo-app/src/frontend-build.ts';
import { startApp, type TestApp } from './helpers.ts';

let app: TestApp;
let cookie: string;

beforeAll(async () => {
  app = await startApp({ faroUrl: 'http://127.0.0.1:12347/collect', service: 'shop</script><b>' });
  cookie = `session=${await app.login()}`;
});
afterAll(async () => {
  await app.close();
});

const TEST_IDS: Record<string, string[]> = {
  login: ['login-form', 'login-username', 'login-password', 'login-submit', 'login-error'],
  items: [
    'current-user',
    'logout-button',
    'nav-items',
    'nav-images',
    'item-form',
    'item-title-input',
    'item-body-input',
    'item-create-submit',
    'items-list',
    'items-empty',
    'items-count',
    'items-error',
  ],
  images: [
    'current-user',
    'logout-button',
    'image-form',
    'image-file-input',
    'image-upload-submit',
    'image-status',
    'image-result',
    'image-result-grayscale',
    'image-duration',
    'image-history',
    'image-error',
  ],
};

describe('pages', () => {
  it.each(Object.entries(TEST_IDS))(
    'serves /%s with its data-testids, its bundle and a CSP',
    async (page, ids) => {
      const response = await app.request(`/${page}`, { headers: { cookie } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.headers.get('content-security-policy')).toContain(
        "connect-src 'self' http://127.0.0.1:12347",
      );
      const html = await response.text();
      for (const id of ids) expect(html).toContain(`data-testid="${id}"`);
      expect(html).toContain(`<script type="module" src="/build/${page}.js"></script>`);
    },
  );

  it('embeds the frontend config as JSON that cannot close its script tag', async () => {
    const html = await (await app.request('/login')).text();
    const match = /<script type="application\/json" id="demo-config">(.*?)<\/script>/.exec(html);
    expect(match).not.toBeNull();
    expect(match![1]).not.toContain('<');
    expect(JSON.parse(match![1]!)).toEqual({
      service: 'shop</script><b>',
      environment: 'test',
      faroUrl: 'http://127.0.0.1:12347/collect',
    });
  });

  it.each([
    ['/items', undefined, '/login?next=%2Fitems'],
    ['/images', undefined, '/login?next=%2Fimages'],
    ['/', undefined, '/login'],
    ['/', 'signed-in', '/items'],
  ])('redirects %s (%s) to %s', async (path, signedIn, location) => {
    const response = await app.request(path, { redirect: 'manual', headers: signedIn ? { cookie } : {} });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(location);
  });

  it('serves static assets and answers JSON 404s for missing ones', async () => {
    const css = await app.request('/assets/styles.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await app.request('/assets/favicon.svg')).headers.get('content-type')).toMatch(
      /^image\/svg\+xml/,
    );
    for (const path of ['/assets/missing.css', '/build/missing.js']) {
      const response = await app.request(path);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found' });
    }
  });
});

describe('frontend bundle', () => {
  it('builds every page entry with esbuild and serves it as JavaScript', async () => {
    const bundle = await buildFrontend();
    for (const page of PAGE_ENTRIES) {
      expect(bundle.has(`${page}.js`)).toBe(true);
      const response = await app.request(`/build/${page}.js`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(
        Buffer.from(await response.arrayBuffer()).equals(Buffer.from(bundle.get(`${page}.js`)!.contents)),
      ).toBe(true);
    }
  });

  it('keeps Faro in a chunk of its own, loaded only on demand, and pino in the shared code', async () => {
    const bundle = await buildFrontend();
    const text = (path: string) => Buffer.from(bundle.get(path)!.contents).toString('utf8');
    const chunks = [...bundle.keys()].filter((p) => p.startsWith('chunks/') && p.endsWith('.js'));
    const faroChunks = chunks.filter((p) => text(p).includes('@grafana/faro-web-sdk'));
    expect(faroChunks).toHaveLength(1);
    const faroFile = faroChunks[0]!.slice('chunks/'.length);
    expect(chunks.some((p) => text(p).includes(`import("./${faroFile}")`))).toBe(true);
    for (const page of PAGE_ENTRIES) {
      const staticImports = [...text(`${page}.js`).matchAll(/(?:from|import)\s*"\.\/(chunks\/[^"]+)"/g)].map(
        (m) => m[1],
      );
      expect(staticImports.length).toBeGreaterThan(0);
      for (const imported of staticImports) expect(faroChunks).not.toContain(imported);
    }
    expect(chunks.some((p) => text(p).includes('/api/logs'))).toBe(true);
    expect(chunks.some((p) => text(p).includes('x-request-id'))).toBe(true);
  });
});
