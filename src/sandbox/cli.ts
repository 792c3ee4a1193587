/**
 * `accountpulse sandbox`: starts the simulated HubSpot and Salesforce on local ports with a seeded
 * company, prints where they listen and their tokens, and runs until SIGINT/SIGTERM.
 *
 *   accountpulse sandbox [--seed N] [--accounts N] [--as-of YYYY-MM-DD] [--hubspot-port 4010]
 *     [--salesforce-port 4020] [--hubspot-rate 190] [--salesforce-daily 100000] [--faults SPEC]
 *     [--host 127.0.0.1]
 *
 * A bad flag prints one line naming it and the expected form, and exits with code 2.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { FaultSpecError, parseFaultSpec } from './common/faults.js';
import { SANDBOX_HEAP_GROWTH_PERCENT, startSandbox, type LightSandboxPair } from './index.js';
import { DEFAULT_ACCOUNTS, DEFAULT_SEED, MAX_ACCOUNTS } from './seed/generate.js';

export const SANDBOX_USAGE = `usage: accountpulse sandbox [--seed N] [--accounts N] [--as-of YYYY-MM-DD] [--hubspot-port 4010] [--salesforce-port 4020] [--hubspot-rate 190] [--salesforce-daily 100000] [--faults SPEC] [--host 127.0.0.1]`;

/** one flag: its zod schema over the raw string, and the expected form for the error line */
const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const flags = {
  seed: { schema: integer(0, 0xffffffff), expected: 'an integer from 0 to 4294967295', fallback: String(DEFAULT_SEED) },
  accounts: { schema: integer(10, MAX_ACCOUNTS), expected: `an integer from 10 to ${MAX_ACCOUNTS}`, fallback: String(DEFAULT_ACCOUNTS) },
  'as-of': {
    schema: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)),
    expected: 'a date as YYYY-MM-DD',
    fallback: undefined,
  },
  'hubspot-port': { schema: integer(0, 65535), expected: 'a port from 0 to 65535', fallback: '4010' },
  'salesforce-port': { schema: integer(0, 65535), expected: 'a port from 0 to 65535', fallback: '4020' },
  'hubspot-rate': { schema: integer(1, 1_000_000), expected: 'calls per 10 seconds, an integer >= 1', fallback: '190' },
  'salesforce-daily': { schema: integer(1, 1_000_000_000), expected: 'API requests per day, an integer >= 1', fallback: '100000' },
  faults: { schema: z.string().min(1), expected: 'a fault spec such as "429:0.1,5xx:0.05@POST /crm/v3/objects/*"', fallback: undefined },
  host: { schema: z.string().regex(/^[A-Za-z0-9.:-]+$/), expected: 'a host name or IP address such as 127.0.0.1', fallback: '127.0.0.1' },
} as const;
type FlagName = keyof typeof flags;

export class SandboxUsageError extends Error {}

export interface SandboxCommandIo {
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** resolves when the sandbox should stop (default: the first SIGINT or SIGTERM) */
  stop?: Promise<unknown>;
}

/** Parses and validates the flags; throws SandboxUsageError with one line naming the bad flag. */
export function parseSandboxFlags(argv: string[]) {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.keys(flags).map((name) => [name, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new SandboxUsageError(`accountpulse sandbox: ${(error as Error).message.split('\n')[0]}; ${SANDBOX_USAGE.replace('usage: ', 'usage is ')}`);
  }
  const read = <N extends FlagName>(name: N): z.output<(typeof flags)[N]['schema']> | undefined => {
    const flag = flags[name];
    const raw = values[name] ?? flag.fallback;
    if (raw === undefined) return undefined;
    const parsed = flag.schema.safeParse(raw);
    if (!parsed.success) throw new SandboxUsageError(`accountpulse sandbox: --${name} must be ${flag.expected} (got "${String(raw)}")`);
    return parsed.data as z.output<(typeof flags)[N]['schema']>;
  };
  const faults = read('faults');
  if (faults !== undefined) {
    try {
      parseFaultSpec(faults);
    } catch (error) {
      if (error instanceof FaultSpecError) throw new SandboxUsageError(`accountpulse sandbox: --faults: ${error.message}`);
      throw error;
    }
  }
  return {
    help: values.help === true,
    seed: read('seed'),
    accounts: read('accounts'),
    asOf: read('as-of'),
    hubspotPort: read('hubspot-port'),
    salesforcePort: read('salesforce-port'),
    hubspotRate: read('hubspot-rate'),
    salesforceDaily: read('salesforce-daily'),
    faults,
    host: read('host'),
  };
}

export async function runSandboxCommand(argv: string[], io: SandboxCommandIo = {}): Promise<void> {
  const out = io.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  let options: ReturnType<typeof parseSandboxFlags>;
  try {
    options = parseSandboxFlags(argv);
  } catch (error) {
    if (!(error instanceof SandboxUsageError)) throw error;
    err(error.message);
    process.exitCode = 2;
    return;
  }
  const { help, ...sandboxOptions } = options;
  if (help) {
    out(SANDBOX_USAGE);
    return;
  }

  let sandbox: LightSandboxPair;
  try {
    // the command needs only counts: keepSeed false drops the seeded org once both servers hold it;
    // the sandbox is a process of its own, so it can ask V8 to collect before the heap grows far
    sandbox = await startSandbox({ ...sandboxOptions, keepSeed: false, heapGrowthPercent: SANDBOX_HEAP_GROWTH_PERCENT });
  } catch (error) {
    const { code, port } = error as { code?: string; port?: number };
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    err(`accountpulse sandbox: cannot listen on ${sandboxOptions.host}:${port ?? '?'} (${code}); free the port or pick others with --hubspot-port / --salesforce-port`);
    process.exitCode = 1;
    return;
  }
  const { summary } = sandbox;
  const n = (x: number): string => x.toLocaleString('en-US');
  out(`HubSpot     ${sandbox.hubspot.url}  token ${sandbox.hubspot.token}`);
  out(`Salesforce  ${sandbox.salesforce.url}  token ${sandbox.salesforce.token}`);
  out(
    `Seed        seed ${summary.seed}, as of ${summary.asOf}: ${n(summary.accounts)} accounts (HubSpot ${n(summary.inHubSpot)}, Salesforce ${n(summary.inSalesforce)}, ${n(summary.inBoth)} in both), ` +
      `${n(summary.deals)} deals, ${n(summary.activities)} activities; generated in ${n(sandbox.generationMs)} ms; RSS ${n(Math.round(process.memoryUsage().rss / 1_048_576))} MB`,
  );

  await (io.stop ?? untilSignal());
  await sandbox.close();
  out('Sandbox stopped.');
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
