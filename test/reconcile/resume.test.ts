/**
 * A run stopped by a native outage part-way through fails, saying so, with its checkpoint kept; once the
 * API answers again the next run of the same mode resumes and its report has every user once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, startReconcileRig, type ReconcileRig } from './support.js';

describe('reconcile resumes after a native outage', () => {
  let rig: ReconcileRig;
  beforeAll(async () => {
    rig = await startReconcileRig('sqlite', { faults: { latencyMs: 100 } });
    await rig.provision('ada');
    for (let i = 0; i < 249; i += 1) rig.emu.seedUser({ email: `n${i}@acme.example`, first_name: `N${i}`, last_name: 'Native' });
  });
  afterAll(() => rig?.close());

  it('fails when the API stops answering, keeps what it listed, and goes on from there', async () => {
    rig.gw.gateway.reconcile.start(APP, 'dry-run');
    while ((rig.gw.gateway.reconcile.status(APP)?.progress.seen ?? 0) < 100) await new Promise((r) => setTimeout(r, 5));
    // Every call from here on fails, retries included.
    rig.emu.setFaults({ failNext: { count: 1000, with: '500' } });
    let failed = rig.gw.gateway.reconcile.status(APP)!;
    while (failed.state === 'running') {
      await new Promise((r) => setTimeout(r, 20));
      failed = rig.gw.gateway.reconcile.status(APP)!;
    }
    expect(failed).toMatchObject({ state: 'failed', error: 'The downstream system failed to answer' });
    expect(failed.progress.seen).toBeLessThan(250);

    rig.emu.setFaults({});
    const done = await rig.reconcile('dry-run');
    expect(done).toMatchObject({ state: 'done', progress: { seen: 250, total: 250 }, counts: { equal: 1, differs: 0, nativeOnly: 249, gatewayOnly: 0 } });
    expect(new Set(done.entries.map((e) => e.nativeId)).size).toBe(250);
    expect(done.error).toBeUndefined();
  });
});
