#!/usr/bin/env node
/**
 * accountpulse: the one entry point. Each command lives in src/commands/ (or its own area) and is
 * loaded on demand, so `check-config` starts fast and needs no Redis.
 */
const usage = `accountpulse <command> [options]

commands:
  demo [--no-serve] [--accounts N]   a full cycle on the built-in sandbox and a local Redis, a report, the dashboard
  serve                              HTTP API + dashboard + workers + scheduler
  worker                             process jobs (run as many as you like against one Redis)
  sync [--once] [--dry-run] [--full] [--crm hubspot|salesforce]
                                     enqueue a cycle; --once runs it here; --dry-run prints the plan and changes nothing
  provision [--dry-run]              create the fields AccountPulse writes in each CRM
  runs [--limit N] [--id RUN]        the run audit
  retry-failed                       failed jobs and dead-lettered writes back to the queue
  evaluate churn|cross-sell|forecast backtests on the synced data (see --help of each)
  train churn [--json]               fit and judge the learned churn model now (as the daily job does)
  sandbox [--accounts N] ...         the simulated HubSpot and Salesforce APIs (seeded data)
  check-config                       validate the configuration and print it with secrets masked
  help                               this text

environment and configuration: see README.md ("Configuration") and config/default.yaml.
`;

type Command = (argv: string[]) => Promise<number | void>;

const commands: Record<string, Command> = {
  'check-config': async () => (await import('./commands/checkConfig.js')).runCheckConfig(),
  sandbox: async (argv) => (await import('./sandbox/cli.js')).runSandboxCommand(argv),
  demo: async (argv) => (await import('./commands/demo.js')).runDemo(argv),
  serve: async (argv) => (await import('./commands/serve.js')).runServeCommand(argv),
  worker: async () => (await import('./commands/worker.js')).runWorkerCommand(),
  sync: async (argv) => (await import('./commands/sync.js')).runSyncCommand(argv),
  provision: async (argv) => (await import('./commands/provision.js')).runProvisionCommand(argv),
  runs: async (argv) => (await import('./commands/runs.js')).runRunsCommand(argv),
  'retry-failed': async () => (await import('./commands/runs.js')).runRetryFailedCommand(),
  evaluate: async (argv) => (await import('./commands/evaluate.js')).runEvaluateCommand(argv),
  train: async (argv) => (await import('./commands/train.js')).runTrainCommand(argv),
  help: async () => {
    process.stdout.write(usage);
    return 0;
  },
};

async function main(): Promise<void> {
  const [name = 'help', ...argv] = process.argv.slice(2);
  const command = commands[name === '--help' || name === '-h' ? 'help' : name];
  if (!command) {
    process.stderr.write(`accountpulse: unknown command "${name}"\n\n${usage}`);
    process.exit(2);
  }
  try {
    const code = await command(argv);
    if (typeof code === 'number') process.exitCode = code;
  } catch (err) {
    process.stderr.write(`accountpulse ${name}: ${(err as Error).message ?? String(err)}\n`);
    // ExitError (src/commands/runtime.ts) carries its exit code, e.g. 2 for invalid configuration.
    const code = (err as { name?: unknown; code?: unknown }).code;
    process.exitCode = (err as Error).name === 'ExitError' && typeof code === 'number' ? code : 1;
  }
}

await main();
