/**
 * Cross-sell feedback: a rep or a CRM automation says an opportunity was accepted or rejected. A
 * rejected product is not recommended to that account again for `crossSell.feedback.rejectedCooldownDays`;
 * each product's acceptance rate nudges its ranking for every account.
 */
import { z } from 'zod';
import { defineRoute } from '../route.js';

export const CrossSellFeedbackBody = z.object({
  feedback: z
    .array(
      z.object({
        accountId: z.string().min(3),
        /** the product (or family) as the opportunity names it */
        item: z.string().min(1).max(200),
        outcome: z.enum(['accepted', 'rejected']),
        via: z.enum(['task_completed', 'task_dismissed', 'deal_created', 'manual']).default('manual'),
        recordId: z.string().max(100).nullable().default(null),
      }),
    )
    .min(1)
    .max(1000),
});

export const postCrossSellFeedback = defineRoute({
  method: 'post',
  path: '/cross-sell/feedback',
  operationId: 'recordCrossSellFeedback',
  summary: 'Record accepted or rejected cross-sell opportunities (at most 1,000 per call); the latest outcome per account and product counts',
  tag: 'cross-sell',
  body: CrossSellFeedbackBody,
  response: { status: 202, description: 'Stored; used by the next scoring', schema: z.object({ accepted: z.number().int().nonnegative() }) },
  problems: [400, 413],
  async handle({ ctx, body }) {
    const at = ctx.now().toISOString();
    await ctx.store.insights.putFeedback(body.feedback.map((f) => ({ ...f, at })));
    return { accepted: body.feedback.length };
  },
});
