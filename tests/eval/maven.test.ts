/**
 * The Maven real-data check (scripts/eval/maven-attainment.ts) as a test: attainment per agent and
 * per manager per quarter agrees to the cent with an independent SQL computation, and the figures
 * published in analytics.md are reproduced. Skipped, saying so, when the datasets folder is absent
 * ($ACCOUNTPULSE_DATASETS or ../shared/datasets).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { datasetsDir, published, runMavenCheck, type MavenReport } from '../../scripts/eval/maven-attainment.js';

const folder = join(datasetsDir(), 'maven_crm');
const present = existsSync(join(folder, 'sales_pipeline.csv'));
if (!present) console.warn(`tests/eval/maven.test.ts skipped: datasets not found at ${folder} (set ACCOUNTPULSE_DATASETS)`);

describe.skipIf(!present)('Maven CRM real-data check', () => {
  let report: MavenReport;
  const load = () => (report ??= runMavenCheck(folder));

  it('agrees with the SQL oracle to the cent for every (agent, quarter) and (manager, quarter)', () => {
    const { oracle, quarters } = load();
    expect(oracle.mismatches).toEqual([]);
    expect(oracle.agentRowsCompared).toBe(35 * 4);
    expect(oracle.managerRowsCompared).toBe(6 * 4);
    expect(quarters.map((q) => q.agents.length)).toEqual([35, 35, 35, 35]);
    expect(quarters.map((q) => q.teams.length)).toEqual([6, 6, 6, 6]);
  });

  it('reports the 5 agents without deals at 0% attainment, not missing', () => {
    const q2 = load().quarters[1];
    const idle = q2?.agents.filter((a) => a.closedWon === 0).map((a) => a.subjectName).sort();
    expect(idle).toEqual(['Carl Lin', 'Carol Thompson', 'Elizabeth Anderson', 'Mei-Mei Johns', 'Natalya Ivanova']);
    expect(q2?.agents.find((a) => a.subjectName === 'Carl Lin')?.attainment).toBe(0);
  });

  it('has org bookings per quarter as published', () => {
    expect(load().quarters.map((q) => q.org.closedWon)).toEqual([1_134_672, 3_086_111, 2_982_255, 2_802_496]);
  });

  it('reproduces win rate, deal size and cycle time', () => {
    const { overall } = load();
    expect(overall.winRate).toBeCloseTo(4238 / (4238 + 2473), 12);
    expect(overall.winRate).toBeCloseTo(published.winRate, 4);
    expect(overall.avgDealSize).toBeCloseTo(published.avgDealSize, 2);
    expect(overall.cycleMeanDays).toBeCloseTo(published.cycleMeanDays, 1);
    expect(overall.cycleMedianDays).toBe(57);
    expect(overall.cycleMaxDays).toBe(138);
  });

  it('reproduces the seasonal curve F(30/91) and F(60/91) of 2017 Q2–Q4', () => {
    const { seasonal } = load();
    expect(seasonal.f30).toBeCloseTo(published.seasonalF30, 3);
    expect(seasonal.f60).toBeCloseTo(published.seasonalF60, 3);
  });

  it('reproduces the published backtest of the pipeline open at each quarter start', () => {
    for (const b of load().backtests) {
      const p = published.backtest[b.period.id];
      expect(p, b.period.id).toBeDefined();
      expect(b.openDeals).toBe(p?.openDeals);
      expect(b.openGross).toBe(p?.openGross);
      expect(Math.round(b.openWeighted)).toBe(p?.openWeighted);
      expect(b.actual).toBe(p?.actual);
      expect(b.actualFromOpenAtStart).toBe(p?.fromOpen);
    }
  });

  it('passes every check it prints', () => {
    expect(load().checks.filter((c) => !c.ok)).toEqual([]);
  });
});
