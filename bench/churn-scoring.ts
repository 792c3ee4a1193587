/**
 * Churn scoring speed, printed (never pass/fail):
 * - rule score (scoreChurn, default config plus two field signals) on synthetic accounts with a
 *   year of weekly activity, contacts, tickets, deals and usage: accounts per second;
 * - IRLS fit time for 50,000 rows × 30 standardised features.
 *
 *   npx tsx bench/churn-scoring.ts [accounts=100000]
 */
import { performance } from 'node:perf_hooks';
import { resolveChurnConfig, scoreChurn, type ChurnInput } from '../src/domain/churn.js';
import { emptyAggregate } from '../src/domain/activity.js';
import type { Account, Contact, Deal, Ticket, UsageMetric } from '../src/domain/model.js';
import { fitLogistic, fitStandardizer, standardize, type Matrix } from '../src/domain/learn/logistic.js';
import { mulberry32 as prng } from '../src/domain/learn/random.js';

const AS_OF = '2026-11-28T12:00:00.000Z';
const DAY = 86_400_000;


function iso(msBeforeAsOf: number): string {
  return new Date(Date.parse(AS_OF) - msBeforeAsOf).toISOString();
}

function syntheticInput(i: number, rand: () => number): ChurnInput {
  const id = `salesforce:001${i}`;
  const account: Account = {
    id,
    source: 'salesforce',
    externalId: `001${i}`,
    updatedAt: AS_OF,
    name: `Account ${i}`,
    domain: null,
    industry: null,
    employees: null,
    annualRevenue: null,
    ownerId: null,
    parentId: null,
    renewalDate: new Date(Date.parse(AS_OF) + Math.floor(rand() * 365) * DAY).toISOString().slice(0, 10),
    churned: null,
    createdAt: iso(800 * DAY),
    fields: { plan: ['basic', 'pro', 'enterprise'][i % 3] as string, seats_used_pct: Math.round(rand() * 100) },
  };
  const activity = emptyAggregate(id);
  const monday = Date.parse('2026-11-23T00:00:00Z');
  for (let w = 0; w < 52; w++) {
    if (rand() < 0.4) continue;
    activity.weeks[new Date(monday - w * 7 * DAY).toISOString().slice(0, 10)] = { 'email:outbound': 1 + Math.floor(rand() * 5), 'call:outbound': Math.floor(rand() * 2) };
  }
  const lastAt = iso(Math.floor(rand() * 120) * DAY);
  activity.lastTouch.call = { id: `salesforce:00T${i}`, type: 'call', at: lastAt, subject: null };
  activity.total = 100;
  const contacts: Contact[] = [0, 1, 2].map((k) => ({
    id: `salesforce:003${i}_${k}`,
    source: 'salesforce',
    externalId: `003${i}_${k}`,
    updatedAt: iso(300 * DAY),
    accountId: id,
    name: `Contact ${k}`,
    email: null,
    title: null,
    active: k < 2 || rand() < 0.5,
    createdAt: iso(700 * DAY),
  }));
  activity.contacts[contacts[0]!.id] = iso(Math.floor(rand() * 90) * DAY);
  if (rand() < 0.1) activity.competitorMentions.push({ competitor: 'Acme', activityId: `salesforce:00N${i}`, type: 'note', at: iso(10 * DAY) });
  const tickets: Ticket[] = Array.from({ length: Math.floor(rand() * 4) }, (_, k) => ({
    id: `salesforce:500${i}_${k}`,
    source: 'salesforce',
    externalId: `500${i}_${k}`,
    updatedAt: AS_OF,
    accountId: id,
    subject: 'Issue',
    priority: (['low', 'medium', 'high', 'urgent'] as const)[Math.floor(rand() * 4)]!,
    status: rand() < 0.5 ? 'open' : 'closed',
    escalated: rand() < 0.1,
    createdAt: iso(Math.floor(rand() * 120) * DAY),
    closedAt: null,
  }));
  const deals: Deal[] = [
    {
      id: `salesforce:006${i}`,
      source: 'salesforce',
      externalId: `006${i}`,
      updatedAt: AS_OF,
      name: 'Renewal',
      accountId: id,
      ownerId: null,
      amount: 1000,
      currency: null,
      status: rand() < 0.05 ? 'lost' : 'open',
      stage: 's',
      stageId: 's',
      pipeline: null,
      probability: 0.5,
      forecastCategory: 'pipeline',
      closeDate: iso(Math.floor(rand() * 200 - 100) * DAY).slice(0, 10),
      type: 'renewal',
      createdAt: iso(400 * DAY),
    },
  ];
  const usage: UsageMetric[] = [30, 60, 120, 150].map((d) => ({ accountId: id, metric: 'active_users', date: iso(d * DAY).slice(0, 10), value: 10 + rand() * 20, source: 'api' }));
  return { account, contacts, activity, tickets, deals, usage };
}

function benchRuleScore(n: number): void {
  const rand = prng(1);
  const inputs = Array.from({ length: n }, (_, i) => syntheticInput(i, rand));
  const config = resolveChurnConfig({
    competitors: ['Acme'],
    fieldSignals: [
      { field: 'plan', weight: 10, scale: { map: { basic: 60, pro: 30, enterprise: 0 } } },
      { field: 'seats_used_pct', weight: 10, scale: { points: [[0, 100], [100, 0]], interpolate: 'linear' } },
    ],
  });
  for (let i = 0; i < Math.min(1000, n); i++) scoreChurn(inputs[i]!, config, null, AS_OF); // warm-up
  const start = performance.now();
  const cpu = process.cpuUsage();
  const bands = { green: 0, amber: 0, red: 0 };
  for (const input of inputs) bands[scoreChurn(input, config, null, AS_OF).band]++;
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  // CPU time too: on a shared, loaded machine wall time overstates the cost.
  console.log(
    `rule score: ${n} accounts in ${seconds.toFixed(2)} s wall = ${Math.round(n / seconds)} accounts/s; ` +
      `${cpuSeconds.toFixed(2)} s CPU = ${Math.round(n / cpuSeconds)} accounts/CPU-s (green ${bands.green}, amber ${bands.amber}, red ${bands.red})`,
  );
}

function benchIrls(rows: number, cols: number): void {
  const rand = prng(2);
  const data = new Float64Array(rows * cols);
  const y = new Array<number>(rows);
  const truth = Array.from({ length: cols }, (_, j) => (j % 3 === 0 ? 0.5 : j % 3 === 1 ? -0.3 : 0));
  for (let i = 0; i < rows; i++) {
    let z = -1;
    for (let j = 0; j < cols; j++) {
      const v = j % 4 === 0 ? (rand() < 0.3 ? 1 : 0) : rand() * 2 - 1 + rand() * 2 - 1;
      data[i * cols + j] = v;
      z += truth[j]! * v;
    }
    y[i] = rand() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  const x: Matrix = { rows, cols, data };
  const start = performance.now();
  const cpu = process.cpuUsage();
  const fit = fitLogistic(standardize(x, fitStandardizer(x)), y, { lambda: 1 });
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(
    `IRLS fit: ${rows} rows x ${cols} features in ${seconds.toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU ` +
      `(${fit.iterations} Newton iterations, converged ${fit.converged})`,
  );
}

benchRuleScore(Number(process.argv[2] ?? 100_000));
benchIrls(50_000, 30);
