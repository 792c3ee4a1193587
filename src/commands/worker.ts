/**
 * `accountpulse worker`: processes jobs from every queue until SIGTERM/SIGINT, then stops taking
 * jobs, lets running ones finish within http.shutdownGrace, closes Redis and exits 0.
 */
import { durationMs } from '../config/schema.js';
import { WorkerSet } from '../jobs/workers.js';
import { boot, shutdown } from './runtime.js';

export function onShutdownSignal(handler: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal} received: shutting down gracefully\n`);
    handler().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

export async function runWorkerCommand(): Promise<number> {
  const ctx = await boot({ waitForRedis: true });
  const workers = new WorkerSet(ctx);
  await workers.waitUntilReady();
  ctx.logger.info({ queues: workers.workers.length, concurrency: ctx.loaded.config.queues.concurrency }, 'worker started');
  await new Promise<void>((resolve) => {
    onShutdownSignal(async () => {
      await workers.close(durationMs(ctx.loaded.config.http.shutdownGrace));
      await shutdown(ctx);
      resolve();
    });
  });
  return 0;
}
