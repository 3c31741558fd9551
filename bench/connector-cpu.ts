/**
 * CPU time the emulator, the gateway and this process (autocannon) spend during one side's measured
 * runs, summed over rounds, per operation. On a shared machine it is steadier than req/s, and it says
 * whether the gateway is busy or waiting.
 */
import { readCpuMs, type ServerChild } from './children.js';
import type { CpuPerOperation } from './connector-report.js';
import type { RunHooks } from './load.js';

export interface CpuMeter {
  /** Give these to measure()/measureInterleaved(): they bracket each measured run. */
  hooks: RunHooks;
  perOperation(operations: number): CpuPerOperation;
}

type Reading = Record<keyof CpuPerOperation, number>;

export function cpuMeter(emulator: ServerChild, gateway: ServerChild): CpuMeter {
  const spent: Reading = { emulator: 0, gateway: 0, autocannon: 0 };
  let at: Reading = { ...spent };
  const read = (): Reading => {
    const own = process.cpuUsage();
    return { emulator: readCpuMs(emulator.process.pid!), gateway: readCpuMs(gateway.process.pid!), autocannon: (own.user + own.system) / 1000 };
  };
  return {
    hooks: {
      before: () => {
        at = read();
      },
      after: () => {
        const now = read();
        for (const k of ['emulator', 'gateway', 'autocannon'] as const) spent[k] += now[k] - at[k];
      },
    },
    perOperation: (operations) => {
      const per = (ms: number) => (operations > 0 ? ms / operations : Number.NaN);
      return { emulator: per(spent.emulator), gateway: per(spent.gateway), autocannon: per(spent.autocannon) };
    },
  };
}
