/** The CLI's two ways of showing a run: the readable report a terminal gets, and JSON lines elsewhere. */
import { describe, expect, it } from 'vitest';
import { jsonLinesReporter, readableReport } from '../../src/reconcile/report.js';
import type { ReconcileStatus } from '../../src/reconcile/types.js';

const status: ReconcileStatus = {
  app: '15five',
  mode: 'adopt',
  state: 'done',
  startedAt: '2026-12-01T10:00:00.000Z',
  finishedAt: '2026-12-01T10:00:01.000Z',
  progress: { seen: 3, total: 3 },
  counts: { equal: 1, differs: 1, nativeOnly: 1, gatewayOnly: 1 },
  entries: [
    { kind: 'equal', userName: 'ada@acme.example', id: 'a1', nativeId: '1' },
    { kind: 'differs', userName: 'bob@acme.example', id: 'b2', nativeId: '2', fields: [{ path: 'title', native: 'Boss', gateway: null }] },
    { kind: 'native-only', userName: 'dora@acme.example', nativeId: '3', adoptable: true, reason: 'no gateway user has this userName', action: 'adopted', id: 'd4' },
    { kind: 'gateway-only', userName: 'gone@acme.example', id: 'g5', nativeId: '999', reason: 'the native record is gone' },
  ],
};

describe('reconcile reports', () => {
  it('the readable report lists every user that is not equal, with fields, verdicts and actions, then the counts', () => {
    expect(readableReport(status)).toBe(
      [
        'reconcile 15five (adopt): done',
        'differs      bob@acme.example id b2 native 2',
        '    title: native "Boss", gateway (none)',
        'native-only  dora@acme.example id d4 native 3',
        '    adoptable: no gateway user has this userName',
        '    adopted',
        'gateway-only gone@acme.example id g5 native 999',
        '    the native record is gone',
        '3 native users listed: 1 equal, 1 differ, 1 native only, 1 gateway only',
        '',
      ].join('\n'),
    );
  });

  it('JSON lines: progress as it goes, then one line per entry and a summary without the entries', () => {
    const lines: string[] = [];
    const reporter = jsonLinesReporter({ write: (s: string) => lines.push(s) });
    reporter.progress({ ...status, state: 'running', progress: { seen: 1, total: 3 } });
    reporter.finish(status);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(parsed[0]).toEqual({ type: 'progress', app: '15five', mode: 'adopt', seen: 1, total: 3, counts: status.counts });
    expect(parsed.slice(1, 5)).toEqual(status.entries.map((e) => ({ type: 'entry', ...e })));
    expect(parsed[5]).toEqual({ type: 'summary', app: '15five', mode: 'adopt', state: 'done', startedAt: status.startedAt, finishedAt: status.finishedAt, progress: status.progress, counts: status.counts });
  });
});
