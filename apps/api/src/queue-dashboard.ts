import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { QueueStats } from '@sps/queue';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board over every monitored queue. It can retry, promote and delete jobs
 * and has no access control of its own: it is only mounted when QUEUE_DASHBOARD
 * is on, and everything under /admin/ needs an admin key (RequestAuthenticator),
 * which covers plugin routes like these as well as Nest's.
 */
export const setupQueueDashboard = async (app: NestFastifyApplication): Promise<void> => {
  const stats = app.get(QueueStats);
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: stats.names.map((name) => new BullMQAdapter(stats.queue(name))), serverAdapter });
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
};
