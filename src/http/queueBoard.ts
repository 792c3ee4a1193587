/** bull-board at /admin/queues: every queue of the installation (auth is applied by app.ts). */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Router } from 'express';
import type { AppContext } from '../jobs/context.js';

export const QUEUE_BOARD_PATH = '/admin/queues';

export function queueBoardRouter(ctx: AppContext): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: Object.values(ctx.queues.queues).map((queue) => new BullMQAdapter(queue)),
    // @bull-board/express 9.10.1 pins its own @bull-board/api 9.10.1 (ours is 9.10.2): same shape, distinct private fields
    serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
    options: { uiConfig: { boardTitle: 'AccountPulse queues' } },
  });
  return serverAdapter.getRouter() as Router;
}
