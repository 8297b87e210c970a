import Database from 'better-sqlite3';
import type { Histogram } from 'prom-client';
import { takeDbWaitSeconds } from './resource-faults.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS items (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_user ON items(user_id, id);
CREATE TABLE IF NOT EXISTS images (
  id TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'done', 'failed')),
  format TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  duration_ms REAL,
  error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS images_by_user ON images(user_id, created_at);
`;

/**
 * The SQLite handle plus `timed`, through which every query goes so that
 * `db_query_duration_seconds{operation}` sees all of them.
 */
export class Db {
  readonly sqlite: Database.Database;

  constructor(
    file: string,
    private readonly queryDuration: Histogram<'operation'>,
  ) {
    this.sqlite = new Database(file);
    // WAL lets a second process (a log shipper's sidecar, an operator's sqlite3 shell) read while
    // the app writes; it means nothing for an in-memory database.
    if (file !== ':memory:') this.sqlite.pragma('journal_mode = WAL');
    this.sqlite.pragma('foreign_keys = ON');
    this.sqlite.pragma('busy_timeout = 5000');
    this.sqlite.exec(SCHEMA);
  }

  /**
   * Runs `fn` (one or more statements) and records its duration under `operation`, including any
   * wait a slow-db fault imposed on the request before it (the query took that long as the app saw it).
   */
  timed<T>(operation: string, fn: (sqlite: Database.Database) => T): T {
    const started = performance.now();
    try {
      return fn(this.sqlite);
    } finally {
      this.queryDuration.observe({ operation }, (performance.now() - started) / 1000 + takeDbWaitSeconds());
    }
  }

  /** True when the database answers a trivial query. */
  ping(): boolean {
    try {
      return this.timed('ping', (db) => db.prepare('SELECT 1 AS ok').get() as { ok: number }).ok === 1;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }
}

export const nowIso = (): string => new Date().toISOString();
