import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Db, nowIso } from './db.ts';
import { unauthorized } from './errors.ts';

export interface User {
  id: number;
  username: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: User;
  }
}

export const SESSION_COOKIE = 'session';
export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;

export const SEED_USERS: readonly { username: string; password: string }[] = [
  { username: 'demo', password: 'demo-password' },
  { username: 'admin', password: 'admin-password' },
];

// Node's default cost (N=2^14, r=8, p=1): ~150 ms per hash on a 2-core box. Slow enough to make
// guessing expensive, fast enough that a browser probe's login step is not dominated by it.
const SCRYPT = { N: 2 ** 14, r: 8, p: 1, keyLength: 32, maxmem: 64 * 1024 * 1024 };

function scryptAsync(
  password: string,
  salt: Buffer,
  keyLength: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$hash`, base64url parts, so parameters can change without breaking old hashes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength, maxmem } = SCRYPT;
  const key = await scryptAsync(password, salt, keyLength, { N, r, p, maxmem });
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return timingSafeEqual(key, expected);
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

// Seed hashes are computed once per process: every app instance (tests start dozens) would
// otherwise pay ~150 ms per seeded user. Each process still draws its own salts.
const processHashes = new Map<string, Promise<string>>();
function hashOncePerProcess(key: string, password: string): Promise<string> {
  let hash = processHashes.get(key);
  if (!hash) {
    hash = hashPassword(password);
    processHashes.set(key, hash);
  }
  return hash;
}

/** Users and DB-stored sessions. Only a hash of each session token is stored. */
export class AuthStore {
  constructor(private readonly db: Db) {}

  async seed(users: readonly { username: string; password: string }[]): Promise<void> {
    for (const { username, password } of users) {
      if (this.findByUsername(username)) continue;
      const hash = await hashOncePerProcess(`seed:${username}:${password}`, password);
      this.db.timed('users.insert', (db) =>
        db
          .prepare('INSERT OR IGNORE INTO users (username, password_hash, created_at) VALUES (?, ?, ?)')
          .run(username, hash, nowIso()),
      );
    }
  }

  findByUsername(username: string): (User & { password_hash: string }) | undefined {
    return this.db.timed('users.find_by_username', (db) =>
      db.prepare('SELECT id, username, password_hash FROM users WHERE username = ?').get(username),
    ) as (User & { password_hash: string }) | undefined;
  }

  /** The user for valid credentials, else a reason why not (for the log, never for the client). */
  async checkCredentials(
    username: string,
    password: string,
  ): Promise<{ user: User } | { reason: 'unknown_user' | 'wrong_password' }> {
    const row = this.findByUsername(username);
    // Verifying against a real hash for unknown users keeps their response time the same as for
    // known users, so timing does not reveal which usernames exist.
    const stored = row?.password_hash ?? (await hashOncePerProcess('dummy', randomBytes(16).toString('hex')));
    const ok = await verifyPassword(password, stored);
    if (!row) return { reason: 'unknown_user' };
    if (!ok) return { reason: 'wrong_password' };
    return { user: { id: row.id, username: row.username } };
  }

  createSession(userId: number): string {
    const token = randomBytes(32).toString('base64url');
    this.db.timed('sessions.insert', (db) => {
      db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(Date.now());
      db.prepare(
        'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
      ).run(sha256(token), userId, nowIso(), Date.now() + SESSION_TTL_MS);
    });
    return token;
  }

  userForToken(token: string): User | undefined {
    return this.db.timed('sessions.find_user', (db) =>
      db
        .prepare(
          `SELECT users.id, users.username FROM sessions JOIN users ON users.id = sessions.user_id
           WHERE sessions.token_hash = ? AND sessions.expires_at > ?`,
        )
        .get(sha256(token), Date.now()),
    ) as User | undefined;
  }

  deleteSession(token: string): void {
    this.db.timed('sessions.delete', (db) =>
      db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256(token)),
    );
  }
}

/** The session token from `Authorization: Bearer` or the session cookie, bearer first. */
export function tokenFromRequest(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim() || undefined;
  return request.cookies[SESSION_COOKIE] || undefined;
}

/** Attaches the user (and `user_id` on the request's logger) when the request carries a valid session. */
export function identify(store: AuthStore, request: FastifyRequest): User | undefined {
  const token = tokenFromRequest(request);
  const user = token ? store.userForToken(token) : undefined;
  if (user) {
    request.user = user;
    request.log = request.log.child({ user_id: String(user.id) });
  }
  return user;
}

/** preHandler for routes that need a signed-in user. */
export function requireUser(store: AuthStore) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!identify(store, request)) throw unauthorized();
  };
}

export function currentUser(request: FastifyRequest): User {
  if (!request.user) throw unauthorized();
  return request.user;
}
