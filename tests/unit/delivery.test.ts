import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from '../../src/delivery/signing.js';
import { checkAlertUrl, isPrivateAddress } from '../../src/delivery/urlPolicy.js';
import { routesFor, type RouteConfig } from '../../src/delivery/routing.js';
import { slackPayload, teamsPayload, links, type AlertEnvelope } from '../../src/delivery/formats.js';
import type { Alert } from '../../src/domain/insights.js';

const alert: Alert = {
  key: 'churn_band_rose|account:hubspot:1|band:red', type: 'churn_band_rose', severity: 'critical', subject: { kind: 'account', id: 'hubspot:1', name: 'Acme <Corp>' },
  reason: 'band:red', state: 'open', title: 'Acme <Corp>: churn risk 78 (red, was 41)', details: ['No activity for 63 days'], records: [{ type: 'call', id: 'hubspot:55' }],
  ownerId: 'hubspot:o1', teamId: 'hubspot:m1', openedAt: 't', updatedAt: 't', resolvedAt: null, version: 1,
};

describe('alert signing', () => {
  it('signs timestamp.body and verifies within 5 minutes, in constant time', () => {
    const sig = signBody('s3cret', 1_700_000_000, '{"a":1}');
    expect(sig).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret', '1700000000', '{"a":1}', sig, 1_700_000_100)).toBe(true);
    expect(verifySignature('s3cret', '1700000000', '{"a":2}', sig, 1_700_000_100)).toBe(false);
    expect(verifySignature('other', '1700000000', '{"a":1}', sig, 1_700_000_100)).toBe(false);
    expect(verifySignature('s3cret', '1700000000', '{"a":1}', sig, 1_700_000_301)).toBe(false);
    expect(verifySignature('s3cret', undefined, '{"a":1}', sig)).toBe(false);
  });
});

describe('alert URL policy', () => {
  it('classifies private addresses', () => {
    expect(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:10.0.0.1'].map(isPrivateAddress)).toEqual(Array(8).fill(true));
    expect(['8.8.8.8', '172.32.0.1', '2001:4860::8888'].map(isPrivateAddress)).toEqual([false, false, false]);
  });

  it('refuses non-http(s), loopback and private targets unless allowed', async () => {
    const resolve = async (h: string) => (h === 'hooks.example.com' ? ['93.184.216.34'] : ['10.0.0.5']);
    await expect(checkAlertUrl('ftp://x.com/a', { allowPrivate: false, resolve })).rejects.toThrow('alert URL must be http(s), got ftp:');
    await expect(checkAlertUrl('http://localhost:9/x', { allowPrivate: false, resolve })).rejects.toThrow(/loopback/);
    await expect(checkAlertUrl('http://127.0.0.1:9/x', { allowPrivate: false, resolve })).rejects.toThrow(/private address 127\.0\.0\.1/);
    await expect(checkAlertUrl('https://internal.corp/x', { allowPrivate: false, resolve })).rejects.toThrow(/resolves to private address 10\.0\.0\.5/);
    await expect(checkAlertUrl('https://hooks.example.com/x', { allowPrivate: false, resolve })).resolves.toBeInstanceOf(URL);
    await expect(checkAlertUrl('http://127.0.0.1:9/x', { allowPrivate: true, resolve })).resolves.toBeInstanceOf(URL);
  });
});

describe('routing and formats', () => {
  const routes: RouteConfig[] = [
    { name: 'all', type: 'webhook', url: 'https://a.example/h', match: {} },
    { name: 'critical-slack', type: 'slack', url: 'env:SLACK_URL', match: { minSeverity: 'critical' } },
    { name: 'west', type: 'teams', url: 'https://t.example', match: { teams: ['hubspot:m2'] } },
  ];
  it('matches by severity and team, resolves env: URLs', () => {
    expect(routesFor(alert, routes, { SLACK_URL: 'https://hooks.slack.example/x' })).toEqual([
      { name: 'all', type: 'webhook', url: 'https://a.example/h' },
      { name: 'critical-slack', type: 'slack', url: 'https://hooks.slack.example/x' },
    ]);
    expect(() => routesFor(alert, routes, {})).toThrow('alert route critical-slack: environment variable SLACK_URL (its URL) is not set');
  });

  it('Slack and Teams payloads carry the title, reasons and links, escaped', () => {
    const env: AlertEnvelope = { deliveryId: 'd1', event: 'alert.opened', alert, sentAt: 't', links: links(alert, (r) => `https://crm.example/${r.id}`) };
    expect(env.links).toEqual([{ label: 'Acme <Corp>', url: 'https://crm.example/hubspot:1' }, { label: 'call hubspot:55', url: 'https://crm.example/hubspot:55' }]);
    expect(slackPayload(env)).toEqual({
      text: '🔴 Acme <Corp>: churn risk 78 (red, was 41)',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: '*🔴 Acme &lt;Corp&gt;: churn risk 78 (red, was 41)*' } },
        { type: 'section', text: { type: 'mrkdwn', text: '• No activity for 63 days' } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '<https://crm.example/hubspot:1|Acme &lt;Corp&gt;> · <https://crm.example/hubspot:55|call hubspot:55>' }] },
      ],
    });
    const card = (teamsPayload(env) as { attachments: { content: { body: { text: string }[]; actions: unknown[] } }[] }).attachments[0]?.content;
    expect(card?.body.map((b) => b.text)).toEqual(['🔴 Acme <Corp>: churn risk 78 (red, was 41)', '• No activity for 63 days']);
    expect(card?.actions).toHaveLength(2);
  });
});
