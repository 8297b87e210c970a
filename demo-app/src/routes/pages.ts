import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AuthStore, identify } from '../auth.ts';
import { notFound } from '../errors.ts';
import { type Bundle, PAGE_ENTRIES } from '../frontend-build.ts';

const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** What the browser code learns about its server; read from a JSON script tag on every page. */
export interface FrontendConfig {
  service: string;
  environment: string;
  faroUrl: string | null;
}

const PROTECTED_PAGES = new Set(['items', 'images']);

function contentSecurityPolicy(faroUrl: string | null): string {
  const connect = faroUrl ? `'self' ${new URL(faroUrl).origin}` : "'self'";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src ${connect}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

/**
 * The HTML pages, the esbuild bundle (from memory) and static assets. Pages that need a session
 * redirect to the login page server-side, so a browser probe never sees a flash of an empty page.
 */
export function registerPageRoutes(
  app: FastifyInstance,
  deps: { auth: AuthStore; bundle: () => Promise<Bundle>; config: FrontendConfig },
): void {
  const { auth, bundle, config } = deps;
  // `<` escaped so that no value can close the script tag it is embedded in.
  const configTag = `<script type="application/json" id="demo-config">${JSON.stringify(config).replace(/</g, '\\u003c')}</script>`;
  const csp = contentSecurityPolicy(config.faroUrl);
  const pages = new Map(
    PAGE_ENTRIES.map((name) => {
      const html = readFileSync(`${PUBLIC_DIR}${name}.html`, 'utf8');
      return [name, html.replace('<!-- demo-config -->', configTag)];
    }),
  );

  const sendPage =
    (name: (typeof PAGE_ENTRIES)[number]) => async (request: FastifyRequest, reply: FastifyReply) => {
      if (PROTECTED_PAGES.has(name) && !identify(auth, request)) {
        return reply.redirect(`/login?next=${encodeURIComponent(`/${name}`)}`, 302);
      }
      return reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', csp)
        .send(pages.get(name));
    };

  app.get('/', async (request, reply) => reply.redirect(identify(auth, request) ? '/items' : '/login', 302));
  for (const name of PAGE_ENTRIES) app.get(`/${name}`, sendPage(name));

  app.get<{ Params: { '*': string } }>('/build/*', async (request, reply) => {
    const file = (await bundle()).get(request.params['*']);
    if (!file) throw notFound('file');
    return reply.type(file.contentType).header('cache-control', 'no-cache').send(Buffer.from(file.contents));
  });

  app.register(fastifyStatic, {
    root: `${PUBLIC_DIR}assets`,
    prefix: '/assets/',
    index: false,
    wildcard: true,
  });
}
