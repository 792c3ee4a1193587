/**
 * A real Redis for the demo, the tests and CI, started for you (one implementation, used by
 * scripts/with-redis.ts, the test suite's global setup and `accountpulse demo`):
 *   1. REDIS_URL set → use it;
 *   2. else `redis-server` on PATH → start it on a free port in a temporary directory, stop it on exit;
 *   3. else Debian/Ubuntu as root → `apt-get install -y redis-server`, then as 2;
 *   4. else fail with one sentence saying how to get Redis.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalRedis {
  url: string;
  /** true when we started the server (and stop() stops it) */
  started: boolean;
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor() {
    super(
      'Redis is needed and none was found: set REDIS_URL, or install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis; or docker run -p 6379:6379 redis:7).',
    );
    this.name = 'RedisUnavailableError';
  }
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return r.status === 0 && out ? out : null;
}

function findRedisServer(): string | null {
  return which('redis-server') ?? (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : null);
}

function tryInstallOnDebian(log: (msg: string) => void): boolean {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/etc/debian_version') || !which('apt-get')) return false;
  log('redis-server not found; installing it with apt-get (Debian/Ubuntu, root)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-q', 'redis-server'], { stdio: 'ignore', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-q'], { stdio: 'ignore', env });
    r = spawnSync('apt-get', ['install', '-y', '-q', 'redis-server'], { stdio: 'ignore', env });
  }
  return r.status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before accepting connections`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.write('PING\r\n');
        sock.once('data', (d) => {
          sock.destroy();
          resolve(d.toString().startsWith('+PONG'));
        });
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not accept connections on port ${port} within ${timeoutMs} ms`);
}

export interface EnsureRedisOptions {
  /** extra redis-server arguments, e.g. ['--appendonly', 'yes'] */
  args?: string[];
  log?: (msg: string) => void;
  /** ignore REDIS_URL and always start a private server */
  forceLocal?: boolean;
}

/** Starts a private redis-server (see the file comment) or returns the configured one. */
export async function ensureRedis(options: EnsureRedisOptions = {}): Promise<LocalRedis> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  if (process.env.REDIS_URL && !options.forceLocal) {
    return { url: process.env.REDIS_URL, started: false, stop: async () => {} };
  }
  let bin = findRedisServer();
  if (!bin && tryInstallOnDebian(log)) bin = findRedisServer();
  if (!bin) throw new RedisUnavailableError();

  const dir = mkdtempSync(join(tmpdir(), 'accountpulse-redis-'));
  const port = await freePort();
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning', ...(options.args ?? [])],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const cleanup = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', cleanup);
  try {
    await waitForPort(port, child, 10_000);
  } catch (err) {
    cleanup();
    throw err;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    started: true,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      }
      rmSync(dir, { recursive: true, force: true });
      process.removeListener('exit', cleanup);
    },
  };
}
