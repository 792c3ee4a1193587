/**
 * Runs a command with REDIS_URL pointing at a real Redis: the configured one, or a private
 * redis-server started (and stopped afterwards) by src/store/localRedis.ts.
 * Usage: tsx scripts/with-redis.ts -- <command> [args...]
 */
import { spawn } from 'node:child_process';
import { ensureRedis, RedisUnavailableError } from '../src/store/localRedis.js';

const sep = process.argv.indexOf('--');
const command = sep >= 0 ? process.argv.slice(sep + 1) : process.argv.slice(2);
if (command.length === 0) {
  process.stderr.write('usage: tsx scripts/with-redis.ts -- <command> [args...]\n');
  process.exit(2);
}

let redis;
try {
  redis = await ensureRedis();
} catch (err) {
  process.stderr.write(`${err instanceof RedisUnavailableError ? err.message : `could not start Redis: ${(err as Error).message}`}\n`);
  process.exit(1);
}
if (redis.started) process.stderr.write(`Redis started for this run at ${redis.url}\n`);

const child = spawn(command[0] as string, command.slice(1), {
  stdio: 'inherit',
  env: { ...process.env, REDIS_URL: redis.url },
  shell: false,
});
const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
process.on('SIGINT', forward('SIGINT'));
process.on('SIGTERM', forward('SIGTERM'));
child.on('exit', async (code, signal) => {
  await redis.stop();
  process.exit(code ?? (signal ? 1 : 0));
});
