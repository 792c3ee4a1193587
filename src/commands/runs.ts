/** `accountpulse runs [--limit N] [--id RUN] [--json]`: the run audit. `retry-failed`: failed jobs back to waiting. */
import { parseArgs } from 'node:util';
import { boot, shutdown } from './runtime.js';
import { formatRuns } from './cycleReport.js';

export async function runRunsCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { limit: { type: 'string', default: '30' }, id: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const ctx = await boot();
  try {
    if (values.id) {
      const run = await ctx.store.runs.get(values.id);
      if (!run) {
        process.stderr.write(`no run ${values.id}\n`);
        return 1;
      }
      const events = await ctx.store.runs.events(values.id, 0, 2000);
      if (values.json) process.stdout.write(`${JSON.stringify({ run, events }, null, 2)}\n`);
      else process.stdout.write(`${formatRuns([run])}\n${events.map((e) => `  ${e.at} ${e.type}: ${e.message}${e.records?.length ? ` [${e.records.join(', ')}]` : ''}`).join('\n')}\n`);
      return 0;
    }
    const runs = await ctx.store.runs.list(0, Number(values.limit) || 30);
    if (values.json) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    else process.stdout.write(`${runs.map((r) => `${r.id}  ${r.startedAt}  ${formatRuns([r]).trim()}`).join('\n')}\n`);
    return 0;
  } finally {
    await shutdown(ctx);
  }
}

export async function runRetryFailedCommand(): Promise<number> {
  const ctx = await boot();
  try {
    const counts = await ctx.queues.retryFailed();
    let dead = 0;
    for (const source of ctx.connectors.keys()) dead += await ctx.store.ledger.requeueDeadLetters(source);
    process.stdout.write(`moved back to waiting: ${Object.entries(counts).map(([q, n]) => `${q} ${n}`).join(', ')}; ${dead} dead-lettered write(s) queued for the next write-back\n`);
    return 0;
  } finally {
    await shutdown(ctx);
  }
}
