/**
 * `accountpulse serve`: the HTTP API and dashboard, the workers of every queue and the scheduler,
 * in one process (the container's default command). SIGTERM: stop accepting requests and jobs,
 * let running ones finish within http.shutdownGrace, close Redis, exit 0.
 */
import { parseArgs } from 'node:util';
import { durationMs } from '../config/schema.js';
import { startHttpServer } from '../http/server.js';
import { Scheduler } from '../jobs/scheduler.js';
import { WorkerSet } from '../jobs/workers.js';
import { boot, shutdown } from './runtime.js';
import { onShutdownSignal } from './worker.js';

export async function runServeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { 'no-workers': { type: 'boolean', default: false }, 'no-scheduler': { type: 'boolean', default: false }, host: { type: 'string', default: '0.0.0.0' }, 'public-url': { type: 'string' } } });
  const ctx = await boot({ waitForRedis: true });
  const workers = values['no-workers'] ? null : new WorkerSet(ctx);
  const scheduler = values['no-scheduler'] ? null : new Scheduler(ctx);
  if (scheduler) {
    await scheduler.install();
    scheduler.start();
  }
  const http = await startHttpServer(ctx, { port: ctx.loaded.env.PORT, host: values.host, expectWorkers: true, publicUrl: values['public-url'] ?? ctx.loaded.env.PUBLIC_URL });
  ctx.logger.info({ url: http.url, workers: !!workers, scheduler: !!scheduler }, 'AccountPulse serving');
  await new Promise<void>((resolve) => {
    onShutdownSignal(async () => {
      const grace = durationMs(ctx.loaded.config.http.shutdownGrace);
      await Promise.all([http.close(), workers?.close(grace), scheduler?.close()]);
      await shutdown(ctx);
      resolve();
    });
  });
  return 0;
}
