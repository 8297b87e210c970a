import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { ResolvedEnvironment } from '../../../packages/firedrill/src/probes/define.ts';

export const silentLogger = pino({ level: 'silent' });

export interface TestServer {
  url: string;
  port: number;
  /** Request ids seen, in order. */
  requestIds: string[];
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A real loopback server; `closeAllConnections` so hung handlers never keep a test waiting. */
export async function startServer(
  handler: Handler,
  tls?: { key: string; cert: string },
): Promise<TestServer> {
  const requestIds: string[] = [];
  const wrapped: Handler = (req, res) => {
    const id = req.headers['x-request-id'];
    if (typeof id === 'string') requestIds.push(id);
    handler(req, res);
  };
  const server = tls ? https.createServer(tls, wrapped) : http.createServer(wrapped);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requestIds,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function testEnv(baseUrl: string): ResolvedEnvironment {
  return {
    name: 'test',
    baseUrl,
    stack: false,
    location: 'test-lab',
    allowFaults: false,
    production: false,
  };
}

export interface SelfSigned {
  key: string;
  cert: string;
  /** Epoch seconds of the certificate's notAfter, as openssl reports it. */
  notAfter: number;
}

/** A throwaway certificate for localhost/127.0.0.1, made by the real openssl at test time. */
export function makeSelfSignedCert(days = 30): SelfSigned {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'firedrill-cert-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const end = execFileSync('openssl', ['x509', '-enddate', '-noout', '-in', cert], { encoding: 'utf8' });
  const notAfter = Date.parse(end.trim().replace(/^notAfter=/, '')) / 1000;
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8'), notAfter };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
