/**
 * Alert payloads per receiver type: generic JSON (the whole alert, for machines), Slack incoming
 * webhooks (blocks) and Microsoft Teams incoming webhooks (an Adaptive Card), each with the reasons
 * and links to the CRM records.
 */
import type { Alert } from '../domain/insights.js';
import type { RecordRef } from '../domain/model.js';

export type RecordLinker = (ref: RecordRef) => string | null;

export interface AlertEnvelope {
  deliveryId: string;
  event: 'alert.opened' | 'alert.updated' | 'alert.resolved' | 'digest.weekly';
  alert: Alert;
  links: { label: string; url: string }[];
  sentAt: string;
}

export function eventOf(alert: Alert): AlertEnvelope['event'] {
  if (alert.type === 'digest') return 'digest.weekly';
  if (alert.state === 'resolved') return 'alert.resolved';
  return alert.version === 1 || alert.openedAt === alert.updatedAt ? 'alert.opened' : 'alert.updated';
}

export function links(alert: Alert, link: RecordLinker): { label: string; url: string }[] {
  const out: { label: string; url: string }[] = [];
  const seen = new Set<string>();
  for (const ref of [{ type: alert.subject.kind, id: alert.subject.id, label: alert.subject.name }, ...alert.records]) {
    const url = link(ref);
    if (!url || seen.has(url)) continue;
    seen.add(url);
    out.push({ label: ref.label ?? `${ref.type} ${ref.id}`, url });
  }
  return out.slice(0, 10);
}

export function genericPayload(env: AlertEnvelope): unknown {
  return env;
}

const icon = (a: Alert) => (a.type === 'digest' ? '🗓️' : a.state === 'resolved' ? '✅' : a.severity === 'critical' ? '🔴' : a.severity === 'warning' ? '🟠' : 'ℹ️');

export function slackPayload(env: AlertEnvelope): unknown {
  const a = env.alert;
  const head = `${icon(a)} ${a.state === 'resolved' && a.type !== 'digest' ? 'Resolved: ' : ''}${a.title}`;
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(head)}*` } }];
  if (a.details.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: a.details.map((d) => `• ${escapeSlack(d)}`).join('\n') } });
  if (env.links.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: env.links.map((l) => `<${l.url}|${escapeSlack(l.label)}>`).join(' · ') }] });
  return { text: head, blocks };
}

function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function teamsPayload(env: AlertEnvelope): unknown {
  const a = env.alert;
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', size: 'Medium', weight: 'Bolder', wrap: true, text: `${icon(a)} ${a.state === 'resolved' && a.type !== 'digest' ? 'Resolved: ' : ''}${a.title}` },
            ...a.details.map((d) => ({ type: 'TextBlock', wrap: true, spacing: 'Small', text: `• ${d}` })),
          ],
          actions: env.links.map((l) => ({ type: 'Action.OpenUrl', title: l.label, url: l.url })),
        },
      },
    ],
  };
}
