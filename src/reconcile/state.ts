/**
 * Where a reconcile keeps its checkpoint: a JSON file per app under `<data dir>/reconcile/`, replaced
 * atomically (written aside, then renamed) after every page, so a run killed at any moment leaves the last
 * complete checkpoint. A file rather than a store table: the checkpoint is one operator's run, not shared
 * state of the gateway; it needs no migration on either store, and a database outage cannot lose a run's
 * progress. The price: a run resumes on the host that started it (the admin page of another replica does
 * not see it). A lock file beside it (holding the pid) keeps two runs of one app from writing at once; a
 * lock whose process is gone (killed) is taken over.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Checkpoint } from './types.js';

export interface CheckpointStore {
  load(app: string): Checkpoint | undefined;
  save(app: string, checkpoint: Checkpoint): void;
  /** Takes the app's run lock; false when a live process holds it. */
  lock(app: string): boolean;
  unlock(app: string): void;
}

export function reconcileStateDir(dataDir: string): CheckpointStore {
  return fileCheckpoints(resolve(dataDir, 'reconcile'));
}

/** App names are configuration, but a path is built from them: keep them to one safe segment. */
const fileName = (app: string) => encodeURIComponent(app).replace(/\./g, '%2E');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fileCheckpoints(dir: string): CheckpointStore {
  const pathOf = (app: string, ext: string) => join(dir, `${fileName(app)}.${ext}`);
  return {
    load(app) {
      let text: string;
      try {
        text = readFileSync(pathOf(app, 'json'), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      try {
        const parsed = JSON.parse(text) as Checkpoint;
        return parsed.version === 1 ? parsed : undefined;
      } catch {
        return undefined; // a file cut short by a full disk: start again rather than fail
      }
    },
    save(app, checkpoint) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const target = pathOf(app, 'json');
      const aside = `${target}.${process.pid}.tmp`;
      writeFileSync(aside, JSON.stringify(checkpoint), { mode: 0o600 });
      renameSync(aside, target);
    },
    lock(app) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = pathOf(app, 'lock');
      for (let attempt = 0; attempt < 2; attempt += 1) {
        try {
          writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
          const holder = Number(readFileSync(file, 'utf8').trim());
          if (Number.isInteger(holder) && holder > 0 && alive(holder)) return false;
          rmSync(file, { force: true }); // its process is gone: the run it guarded was interrupted
        }
      }
      return false;
    },
    unlock(app) {
      const file = pathOf(app, 'lock');
      try {
        if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
