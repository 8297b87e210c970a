import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { redactUrl } from '../connections/http.ts';
import type { FaultSpec, FaultTarget, InjectedFault } from '../faults/index.ts';
import { ownerAlive, selfIdentity, writeFileDurable } from './fsync-write.ts';

/** One fault as the journal tracks it: written before it is applied, completed once it is. */
export interface JournalFault {
  spec: FaultSpec;
  description: string;
  /** Absent until the target answered: the fault may or may not have been applied. */
  injected?: InjectedFault;
}

/** A fault target without its secrets: URLs with no userinfo, no tokens, no auth. */
export interface JournalTarget {
  baseUrl: string;
  environment?: string;
  root?: string;
  toxiproxyUrl?: string;
  alertmanagerUrl?: string;
  grafanaUrl?: string;
}

export function journalTarget(t: FaultTarget): JournalTarget {
  return {
    baseUrl: redactUrl(t.baseUrl),
    ...(t.environment ? { environment: t.environment } : {}),
    ...(t.root ? { root: t.root } : {}),
    ...(t.toxiproxyUrl ? { toxiproxyUrl: redactUrl(t.toxiproxyUrl) } : {}),
    ...(t.alertmanager ? { alertmanagerUrl: redactUrl(t.alertmanager.url) } : {}),
    ...(t.grafana ? { grafanaUrl: redactUrl(t.grafana.url) } : {}),
  };
}

/** The target a replay uses when the config can no longer resolve the environment: URLs alone. */
export function targetFromJournal(t: JournalTarget): FaultTarget {
  const { alertmanagerUrl, grafanaUrl, ...rest } = t;
  return {
    ...rest,
    ...(alertmanagerUrl ? { alertmanager: { url: alertmanagerUrl, headers: {} } } : {}),
  };
}

/** `<stateDir>/journal/<runId>.json`: everything `firedrill rollback` needs to undo a crashed drill. */
export interface JournalRecord {
  version: 1;
  runId: string;
  drillId: string;
  environment: string;
  /** URLs only; tokens and auth are read from the config again on replay, never written here. */
  target: JournalTarget;
  pid: number;
  procStart?: number;
  /** ISO-8601. */
  startedAt: string;
  faults: JournalFault[];
}

export function journalDir(stateDir: string): string {
  return path.join(stateDir, 'journal');
}

/** The rollback journal of one drill run; every change is fsynced before the call returns. */
export class Journal {
  readonly file: string;
  readonly record: JournalRecord;

  private constructor(file: string, record: JournalRecord) {
    this.file = file;
    this.record = record;
  }

  static async create(
    stateDir: string,
    init: { runId: string; drillId: string; environment: string; target: FaultTarget },
  ): Promise<Journal> {
    const target = journalTarget(init.target);
    const record: JournalRecord = {
      version: 1,
      runId: init.runId,
      drillId: init.drillId,
      environment: init.environment,
      target,
      ...selfIdentity(),
      startedAt: new Date().toISOString(),
      faults: [],
    };
    const journal = new Journal(path.join(journalDir(stateDir), `${init.runId}.json`), record);
    await journal.#flush();
    return journal;
  }

  /** Records the intent to apply a fault; returns its index for `injected()`. */
  async intend(spec: FaultSpec, description: string): Promise<number> {
    this.record.faults.push({ spec, description });
    await this.#flush();
    return this.record.faults.length - 1;
  }

  async injected(index: number, injected: InjectedFault): Promise<void> {
    this.record.faults[index]!.injected = injected;
    await this.#flush();
  }

  /** Deleted only after every fault was rolled back; a failed rollback leaves it for `firedrill rollback`. */
  async remove(): Promise<void> {
    await rm(this.file, { force: true });
  }

  #flush(): Promise<void> {
    return writeFileDurable(this.file, `${JSON.stringify(this.record, null, 2)}\n`);
  }
}

export interface LeftoverJournal {
  file: string;
  record?: JournalRecord;
  /** Why the file could not be read, when it could not. */
  unreadable?: string;
  /** The run that wrote it still runs: not leftover, leave it alone. */
  ownerRunning: boolean;
}

/** Every journal in the state dir, oldest first, with whether its writer still runs. */
export async function listJournals(stateDir: string): Promise<LeftoverJournal[]> {
  const dir = journalDir(stateDir);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: LeftoverJournal[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      const record = JSON.parse(await readFile(file, 'utf8')) as JournalRecord;
      if (record.version !== 1 || !Array.isArray(record.faults)) throw new Error('not a version 1 journal');
      out.push({ file, record, ownerRunning: record.pid !== process.pid && ownerAlive(record) });
    } catch (err) {
      out.push({ file, unreadable: (err as Error).message, ownerRunning: false });
    }
  }
  return out.sort((a, b) => (a.record?.startedAt ?? '').localeCompare(b.record?.startedAt ?? ''));
}
