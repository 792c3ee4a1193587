/** `accountpulse provision [--dry-run]`: creates (or checks) the fields AccountPulse writes, per CRM. */
import { parseArgs } from 'node:util';
import { boot, shutdown } from './runtime.js';

export async function runProvisionCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean', default: false } } });
  const ctx = await boot();
  let problems = 0;
  try {
    for (const [source, connector] of ctx.connectors) {
      try {
        const r = await connector.provision({ dryRun: values['dry-run'] ?? false });
        process.stdout.write(`${source}: ${r.created.length} created${r.created.length ? ` (${r.created.join(', ')})` : ''}, ${r.existing.length} already there\n`);
        for (const m of r.manual) process.stdout.write(`  an admin must create ${m.field}: ${m.instruction}\n`);
        if (r.manual.length) problems += 1;
      } catch (err) {
        problems += 1;
        process.stdout.write(`${source}: provisioning failed: ${(err as Error).message}\n`);
      }
    }
  } finally {
    await shutdown(ctx);
  }
  return problems ? 1 : 0;
}
