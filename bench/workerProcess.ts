/**
 * An `accountpulse worker` child process, as a deployment runs it: the measured cycles run there,
 * on their own core, while the sandbox (the "CRM") stays in the bench process. Its CPU time and
 * peak RSS come from /proc, so the local cost figures are AccountPulse's own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AppContext } from '../src/jobs/context.js';
import { queueNames } from '../src/jobs/queues.js';

/** the container's V8 flag (Dockerfile NODE_OPTIONS) */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=64'];

function procField(pid: number, file: 'stat' | 'status'): string | null {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
}

export class WorkerProcess {
  private constructor(private readonly child: ChildProcess) {}

  /**
   * Spawns the worker and waits until every queue has `atLeast` workers (this one and those started
   * before it): module loading takes seconds and must not count in a cycle's time.
   */
  static async start(environ: Record<string, string>, ctx: AppContext, options: { atLeast?: number; timeoutMs?: number } = {}): Promise<WorkerProcess> {
    const atLeast = options.atLeast ?? 1;
    const timeoutMs = options.timeoutMs ?? 120_000;
    const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', 'src/cli.ts', 'worker'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...environ },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const worker = new WorkerProcess(child);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`bench worker process exited with ${child.exitCode} before it was ready: ${stderr}`);
      const counts = await Promise.all(queueNames.map((q) => ctx.queues.queues[q].getWorkersCount()));
      if (counts.every((n) => n >= atLeast)) return worker;
      if (Date.now() > deadline) {
        await worker.stop();
        throw new Error(`bench worker process not ready within ${timeoutMs} ms: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** user + system CPU time so far, ms (Linux; null elsewhere) */
  cpuMs(): number | null {
    const stat = this.child.pid ? procField(this.child.pid, 'stat') : null;
    if (!stat) return null;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields after the command: state is [0], utime [11], stime [12], in clock ticks (100 per second)
    return (Number(fields[11]) + Number(fields[12])) * 10;
  }

  /** the process's peak RSS so far (VmHWM), MB */
  peakRssMb(): number | null {
    const status = this.child.pid ? procField(this.child.pid, 'status') : null;
    const m = status ? /VmHWM:\s+(\d+) kB/.exec(status) : null;
    return m ? Math.round(Number(m[1]) / 1024) : null;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}
