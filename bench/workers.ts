/**
 * Scaling from 1 to 2 worker processes: the same full cycle run by `accountpulse worker` child
 * processes (as in tests/e2e/worker-crash.test.ts), 1 then 2 of them, on one seeded sandbox held by
 * this process. Each run gets a fresh Redis prefix, so both read everything and write every field
 * (the CRM already holds the first run's values; the second run's ledger does not know them).
 */
import { randomUUID } from 'node:crypto';
import { enqueueCycle, waitForIdle } from '../src/jobs/cycle.js';
import type { CrmSource } from '../src/domain/model.js';
import { cycleRuns } from '../src/commands/cycleReport.js';
import { WorkerProcess } from './workerProcess.js';
import { benchContext, benchEnviron, closeContext, startBenchSandbox } from './cycle.js';

export interface WorkerRun {
  processes: number;
  wallMs: number;
  calls: { hubspot: number; salesforce: number };
  rateLimited: number;
  failedRuns: number;
}

export interface WorkerScaling {
  accounts: number;
  runs: WorkerRun[];
  /** wall time with 1 process / wall time with 2 */
  speedUp: number;
}

export async function runWorkerScaling(options: { seed: number; accounts: number; sources: readonly CrmSource[]; log: (s: string) => void }): Promise<WorkerScaling> {
  const handle = await startBenchSandbox({ seed: options.seed, accounts: options.accounts });
  const runs: WorkerRun[] = [];
  try {
    for (const processes of [1, 2]) {
      const environ = benchEnviron(handle, options.sources, `benchw${randomUUID().slice(0, 8)}`);
      const { ctx, redis } = benchContext(environ, handle.sandbox.seedOrg.competitors);
      const children: WorkerProcess[] = [];
      try {
        for (const c of ctx.connectors.values()) await c.provision({ dryRun: false });
        for (const s of [handle.sandbox.hubspot, handle.sandbox.salesforce]) s.stats.reset();
        // started and registered before the clock starts (module loading takes seconds)
        for (let i = 0; i < processes; i++) children.push(await WorkerProcess.start(environ, ctx, { atLeast: i + 1 }));
        const started = performance.now();
        const cycleId = await enqueueCycle(ctx, { full: true, sources: [...options.sources] });
        const idle = await waitForIdle(ctx, { timeoutMs: 30 * 60_000, pollMs: 100 });
        const wallMs = Math.round(performance.now() - started);
        if (!idle) throw new Error(`the ${processes}-process cycle did not finish within 30 minutes`);
        const hs = handle.sandbox.hubspot.stats.snapshot();
        const sf = handle.sandbox.salesforce.stats.snapshot();
        const failedRuns = (await cycleRuns(ctx, cycleId)).filter((r) => r.status === 'failed').length;
        runs.push({ processes, wallMs, calls: { hubspot: hs.calls.total, salesforce: sf.calls.total }, rateLimited: hs.rateLimited + sf.rateLimited, failedRuns });
        options.log(`  ${processes} worker process(es): ${(wallMs / 1000).toFixed(1)} s`);
      } finally {
        for (const c of children) await c.stop();
        await closeContext(ctx, redis);
      }
    }
  } finally {
    await handle.sandbox.close();
  }
  const [one, two] = runs;
  return { accounts: options.accounts, runs, speedUp: Number(((one?.wallMs ?? 0) / (two?.wallMs ?? 1)).toFixed(2)) };
}
