/**
 * Cross-sell hold-out evaluation on real data (analytics.md 1.3, "Evaluation protocol").
 *
 * Groceries (members): per member, the first purchase date of each item; hold out the items first
 * bought on the member's latest visit (the newest "explore" items); train on everyone's remaining
 * items; rank every item the member does not own; report HR@1/3/10, P@10, MAP@10 (and NDCG@10)
 * for popularity, item-item cosine, confidence-sum, lift-sum and the production scorer.
 * Telco add-on services: per customer owning ≥ 3 of the 9 services, hide one (seeded choice),
 * train on the rest, report HR@1/HR@3 for the same scorers.
 *
 *   tsx scripts/eval/groceries-crosssell.ts [--json]
 *
 * Datasets come from $ACCOUNTPULSE_DATASETS or ../shared/datasets beside the repository; when
 * they are absent it prints "skipped: datasets not found" and exits 0.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CooccurrenceMatrix, affinityScores, type ItemSimilarity } from '../../src/domain/cooccurrence.js';
import {
  CrossSellConfigSchema,
  buildCrossSellModel,
  noCrossSellFeedback,
  scoreWhiteSpace,
  type CrossSellConfig,
  type CrossSellConfigInput,
} from '../../src/domain/crosssell.js';
import { RankingEvaluator, type RankingSummary } from '../../src/domain/learn/ranking.js';
import { mulberry32 } from '../../src/domain/learn/random.js';

export const scorerNames = ['popularity', 'cosine', 'confidence_sum', 'lift_sum', 'production'] as const;
export type ScorerName = (typeof scorerNames)[number];

export interface HoldOutCase {
  userId: string;
  /** items the user owns in training */
  owned: string[];
  /** held-out items, to be found */
  heldOut: Set<string>;
}

export interface HoldOutResult {
  dataset: string;
  users: number;
  items: number;
  scorers: Record<ScorerName, RankingSummary>;
}

/** The datasets folder, or null when it is not there. */
export function findDatasetsDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = env.ACCOUNTPULSE_DATASETS ?? resolve(here, '../../../shared/datasets');
  return existsSync(dir) ? dir : null;
}

// ---------------------------------------------------------------------------------------------
// Groceries

export interface MemberHistory {
  /** item → first purchase date (YYYY-MM-DD) */
  firstBought: Map<string, string>;
  /** date of the member's latest visit (YYYY-MM-DD) */
  lastVisit: string;
}

/** Per member, first purchase date of each item and latest visit, from Groceries_dataset.csv (dates dd-mm-yyyy). */
export function readGroceriesMembers(file: string): Map<string, MemberHistory> {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  if (lines[0]?.trim() !== 'Member_number,Date,itemDescription') {
    throw new Error(`${file}: expected the header "Member_number,Date,itemDescription", got "${lines[0]}"`);
  }
  const members = new Map<string, MemberHistory>();
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (!line) continue;
    const [member, date, item] = line.split(',');
    const match = /^(\d{2})-(\d{2})-(\d{4})$/.exec(date ?? '');
    if (!member || !item || !match) throw new Error(`${file}:${n + 1}: cannot read "${line}"`);
    const iso = `${match[3]}-${match[2]}-${match[1]}`;
    let history = members.get(member);
    if (!history) members.set(member, (history = { firstBought: new Map(), lastVisit: iso }));
    if (iso > history.lastVisit) history.lastVisit = iso;
    const seen = history.firstBought.get(item);
    if (seen === undefined || iso < seen) history.firstBought.set(item, iso);
  }
  return members;
}

/**
 * Splits each member's items: held out = items first bought on the member's latest visit (new on
 * that visit); the rest train. Users to evaluate have both: a member whose latest visit only
 * repeated earlier items, or who visited once, trains with all items and is not evaluated.
 */
export function latestNewItemsSplit(members: Map<string, MemberHistory>): {
  training: Map<string, Map<string, string>>;
  cases: HoldOutCase[];
} {
  const training = new Map<string, Map<string, string>>();
  const cases: HoldOutCase[] = [];
  for (const member of [...members.keys()].sort()) {
    const { firstBought, lastVisit } = members.get(member)!;
    const kept = new Map<string, string>();
    const heldOut = new Set<string>();
    for (const [item, date] of firstBought) {
      if (date === lastVisit) heldOut.add(item);
      else kept.set(item, date);
    }
    if (heldOut.size > 0 && kept.size > 0) {
      training.set(member, kept);
      cases.push({ userId: member, owned: [...kept.keys()].sort(), heldOut });
    } else {
      training.set(member, new Map(firstBought));
    }
  }
  return { training, cases };
}

// ---------------------------------------------------------------------------------------------
// Telco add-on services

const telcoServices = [
  'PhoneService',
  'MultipleLines',
  'InternetService',
  'OnlineSecurity',
  'OnlineBackup',
  'DeviceProtection',
  'TechSupport',
  'StreamingTV',
  'StreamingMovies',
] as const;

/** customer → services owned (InternetService counts when it is DSL or Fiber optic). */
export function readTelcoServices(file: string): Map<string, string[]> {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim());
  const header = lines[0]!.split(',');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: column ${name} is missing`);
    return i;
  };
  const idCol = col('customerID');
  const cols = telcoServices.map((s) => [s, col(s)] as const);
  const out = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const owned = cols.filter(([s, i]) => (s === 'InternetService' ? cells[i] !== 'No' : cells[i] === 'Yes')).map(([s]) => s);
    out.set(cells[idCol]!, owned);
  }
  return out;
}

/** Hides one owned service (chosen by a seeded generator) from each customer owning ≥ 3. */
export function hideOneSplit(
  owned: Map<string, string[]>,
  seed = 42,
): { training: Map<string, Map<string, string>>; cases: HoldOutCase[] } {
  const random = mulberry32(seed);
  const training = new Map<string, Map<string, string>>();
  const cases: HoldOutCase[] = [];
  for (const customer of [...owned.keys()].sort()) {
    const services = owned.get(customer)!;
    if (services.length < 3) {
      training.set(customer, new Map(services.map((s) => [s, ''])));
      continue;
    }
    const hidden = services[Math.floor(random() * services.length)]!;
    const kept = services.filter((s) => s !== hidden);
    training.set(customer, new Map(kept.map((s) => [s, ''])));
    cases.push({ userId: customer, owned: kept, heldOut: new Set([hidden]) });
  }
  return { training, cases };
}


// ---------------------------------------------------------------------------------------------
// Scorers and the evaluation loop

/** Ranks every training item the user does not own, best first, ties by item name. */
export function rankWithScorer(
  scorer: ScorerName,
  matrix: CooccurrenceMatrix,
  owned: readonly string[],
): string[] {
  const ownedSet = new Set(owned);
  const ownedIdx = owned.map((item) => matrix.indexOf(item)).filter((i): i is number => i !== undefined);
  let scores: ArrayLike<number>;
  if (scorer === 'popularity') {
    scores = matrix.items.map((_, j) => matrix.itemCount(j));
  } else {
    const similarity: Record<string, ItemSimilarity> = { cosine: 'cosine', confidence_sum: 'confidence', lift_sum: 'lift' };
    scores = affinityScores(matrix, ownedIdx, { similarity: similarity[scorer]!, shrinkage: 0, minCoCount: 1 });
  }
  const candidates: number[] = [];
  for (let j = 0; j < matrix.items.length; j++) if (!ownedSet.has(matrix.items[j]!)) candidates.push(j);
  candidates.sort((a, b) => scores[b]! - scores[a]! || (matrix.items[a]! < matrix.items[b]! ? -1 : 1));
  return candidates.map((j) => matrix.items[j]!);
}

export function evaluateHoldOut(
  dataset: string,
  training: Map<string, Map<string, string>>,
  cases: readonly HoldOutCase[],
  options: { ks: number[]; production?: CrossSellConfigInput },
): HoldOutResult {
  const config: CrossSellConfig = CrossSellConfigSchema.parse(options.production ?? {});
  // The production model: no accounts (no industry or size), so peers are all customers.
  const model = buildCrossSellModel(training, [], { asOf: '2026-01-01', config: { ...config, maxAntecedent: 1 } });
  const matrix = model.matrix;
  const evaluators = Object.fromEntries(
    scorerNames.map((name) => [name, new RankingEvaluator({ ks: options.ks, mapK: 10 })]),
  ) as Record<ScorerName, RankingEvaluator>;
  for (const c of cases) {
    for (const name of scorerNames) {
      const ranked =
        name === 'production'
          ? scoreWhiteSpace(model, c.userId, c.owned, null, noCrossSellFeedback, config).map((s) => s.item)
          : rankWithScorer(name, matrix, c.owned);
      evaluators[name].add(ranked, c.heldOut);
    }
  }
  const scorers = Object.fromEntries(scorerNames.map((n) => [n, evaluators[n].summary()])) as Record<
    ScorerName,
    RankingSummary
  >;
  return { dataset, users: scorers.popularity.users, items: matrix.items.length, scorers };
}

export function runGroceriesEvaluation(datasetsDir: string, production?: CrossSellConfigInput): HoldOutResult {
  const firstBought = readGroceriesMembers(join(datasetsDir, 'groceries_members', 'Groceries_dataset.csv'));
  const { training, cases } = latestNewItemsSplit(firstBought);
  return evaluateHoldOut('groceries_members', training, cases, { ks: [1, 3, 10], production });
}

export function runTelcoEvaluation(datasetsDir: string, production?: CrossSellConfigInput): HoldOutResult {
  const owned = readTelcoServices(join(datasetsDir, 'ibm_telco_churn', 'Telco-Customer-Churn.csv'));
  const { training, cases } = hideOneSplit(owned);
  return evaluateHoldOut('ibm_telco_churn', training, cases, { ks: [1, 3, 10], production });
}

function formatTable(result: HoldOutResult): string {
  const f = (x: number) => x.toFixed(3);
  const rows = scorerNames.map((name) => {
    const s = result.scorers[name];
    return `${name.padEnd(15)} ${f(s.hitRate[1]!)}  ${f(s.hitRate[3]!)}  ${f(s.hitRate[10]!)}  ${f(s.precision[10]!)}  ${f(s.map)}   ${f(s.ndcg)}`;
  });
  return [
    `${result.dataset}: ${result.users} eval users, ${result.items} items`,
    `scorer          HR@1   HR@3   HR@10  P@10   MAP@10  NDCG@10`,
    ...rows,
  ].join('\n');
}

function main(): void {
  const dir = findDatasetsDir();
  const groceries = dir ? join(dir, 'groceries_members', 'Groceries_dataset.csv') : null;
  if (!dir || !groceries || !existsSync(groceries)) {
    console.log('skipped: datasets not found');
    return;
  }
  const results = [runGroceriesEvaluation(dir)];
  if (existsSync(join(dir, 'ibm_telco_churn', 'Telco-Customer-Churn.csv'))) results.push(runTelcoEvaluation(dir));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  console.log(results.map(formatTable).join('\n\n'));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
