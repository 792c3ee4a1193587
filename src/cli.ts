#!/usr/bin/env node
/**
 * accountpulse: the one entry point. Each command lives in src/commands/ (or its own area) and is
 * loaded on demand, so `check-config` starts fast and needs no Redis.
 */
const usage = `accountpulse <command> [options]

commands:
  demo            run a full cycle on the built-in sandbox and a local Redis, print a report
  sandbox         start the simulated HubSpot and Salesforce APIs (seeded data)
  check-config    validate the configuration and print it with secrets masked
  help            this text

environment and configuration: see README.md ("Configuration") and config/default.yaml.
`;

type Command = (argv: string[]) => Promise<number | void>;

const commands: Record<string, Command> = {
  'check-config': async () => (await import('./commands/checkConfig.js')).runCheckConfig(),
  sandbox: async (argv) => (await import('./sandbox/cli.js')).runSandboxCommand(argv),
  demo: async (argv) => (await import('./commands/demo.js')).runDemo(argv),
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
    process.exitCode = 1;
  }
}

await main();
