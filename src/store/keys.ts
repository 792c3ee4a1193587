/**
 * Every Redis key AccountPulse writes, in one place. `p` is the installation prefix
 * (ACCOUNTPULSE_PREFIX, default "ap"). Redis holds a rebuildable snapshot: the CRMs stay the source
 * of truth, so losing Redis costs a full resync, never data.
 *
 * records          p:rec:<kind>                         hash  id → compact record (codec.ts)
 * record indexes   p:idx:<kind>:<field>:<value>         set   ids of <kind> whose <field> = value
 * activity folds   p:act:{<accountId>}:agg              string ActivityAggregate JSON
 *                  p:act:{<accountId>}:fp               hash  activity id → fingerprint (idempotent folding)
 * checkpoints      p:ckpt                               hash  "<source>:<stream>" → checkpoint JSON
 * scoring state    p:pending-score                      set   account ids deferred until their CRM's data is complete
 *                  p:scored-on-partial-portfolio        string set while accounts were scored with a CRM incomplete
 *                  p:loaded-sources                     set   CRMs whose every stream completed once (first load done)
 *                  p:attainment:computedOn              string day attainment was last computed
 * sync durations   p:sync:ms                            hash  "<source>:<stream>" → ms its last complete sync took (job order)
 * quarantine       p:quarantine                         list  QuarantinedRecord JSON, newest first, capped
 *                  p:quarantine:count                   hash  "<source>:<stream>" → count
 * usage metrics    p:usage:<accountId>                  hash  "<metric>|<date>" → value
 * churn            p:ins:churn                          hash  accountId → ChurnRisk JSON (current)
 *                  p:ins:churn:hist:<accountId>         list  {at, score, band} JSON, newest first, capped
 * attainment       p:ins:att:<periodId>                 hash  "<scope>:<subjectId>" → Attainment JSON
 * churn model      p:model:churn                        string learned model, backtest summary and gate verdict JSON (churnModels.ts)
 *                  p:model:churn:lock                   string one training run at a time across processes (expires)
 * cross-sell       p:ins:xsell                          hash  accountId → CrossSellOpportunity[] JSON
 *                  p:ins:xsell:feedback                 hash  "<accountId>|<item>" → feedback JSON
 * write-back       p:ledger:<source>                    hash  "<externalId>|<field>" → LedgerEntry JSON
 *                  p:ledger:<source>:failed             hash  "<externalId>|<field>" → FailedWrite JSON
 *                  p:ledger:<source>:dead               hash  "<externalId>|<field>" → FailedWrite JSON
 *                  p:ledger:<source>:tasks              hash  task dedupe key → created task id
 *                  p:ledger:<source>:tasks:sent         hash  task key → "?" (create sent, outcome unknown) or task id (pendingTasks.ts)
 * alerts           p:alert                              hash  alert key → Alert JSON
 *                  p:alert:open                         set   keys of open alerts
 * deliveries       p:delivery                           hash  delivery id → DeliveryRecord JSON
 * runs             p:runs                               zset  runId scored by start time
 *                  p:run:<runId>                        string Run JSON
 *                  p:run:<runId>:events                 list  RunEvent JSON (what was read/changed/written/skipped)
 * dry runs         p:dryrun:<id>                        string DryRunRecord JSON (request, state, report), 7 days
 * health           p:health                             hash  "<source>|<problem>" → HealthProblem JSON
 * unification      p:unify / p:unify:member             hash  unified id → member ids / member id → unified id
 * budgets          p:budget:<source>:<account>          hash  API budget shared by every worker (connectors)
 * queues           {p}:<queue>:*                        BullMQ (the braces are a Cluster hash tag)
 */
export class Keys {
  constructor(readonly prefix: string) {}

  records(kind: string): string {
    return `${this.prefix}:rec:${kind}`;
  }
  index(kind: string, field: string, value: string): string {
    return `${this.prefix}:idx:${kind}:${field}:${value}`;
  }
  activityAggregate(accountId: string): string {
    return `${this.prefix}:act:{${accountId}}:agg`;
  }
  activityFingerprints(accountId: string): string {
    return `${this.prefix}:act:{${accountId}}:fp`;
  }
  checkpoints(): string {
    return `${this.prefix}:ckpt`;
  }
  syncDurations(): string {
    return `${this.prefix}:sync:ms`;
  }
  quarantine(): string {
    return `${this.prefix}:quarantine`;
  }
  quarantineCount(): string {
    return `${this.prefix}:quarantine:count`;
  }
  usage(accountId: string): string {
    return `${this.prefix}:usage:${accountId}`;
  }
  churn(): string {
    return `${this.prefix}:ins:churn`;
  }
  churnHistory(accountId: string): string {
    return `${this.prefix}:ins:churn:hist:${accountId}`;
  }
  attainment(periodId: string): string {
    return `${this.prefix}:ins:att:${periodId}`;
  }
  crossSell(): string {
    return `${this.prefix}:ins:xsell`;
  }
  crossSellFeedback(): string {
    return `${this.prefix}:ins:xsell:feedback`;
  }
  ledger(source: string): string {
    return `${this.prefix}:ledger:${source}`;
  }
  ledgerFailed(source: string): string {
    return `${this.prefix}:ledger:${source}:failed`;
  }
  ledgerDead(source: string): string {
    return `${this.prefix}:ledger:${source}:dead`;
  }
  ledgerTasks(source: string): string {
    return `${this.prefix}:ledger:${source}:tasks`;
  }
  alerts(): string {
    return `${this.prefix}:alert`;
  }
  openAlerts(): string {
    return `${this.prefix}:alert:open`;
  }
  deliveries(): string {
    return `${this.prefix}:delivery`;
  }
  runs(): string {
    return `${this.prefix}:runs`;
  }
  run(runId: string): string {
    return `${this.prefix}:run:${runId}`;
  }
  runEvents(runId: string): string {
    return `${this.prefix}:run:${runId}:events`;
  }
  dryRun(id: string): string {
    return `${this.prefix}:dryrun:${id}`;
  }
  budget(source: string, account: string): string {
    return `${this.prefix}:budget:${source}:${account}`;
  }
  /** BullMQ prefix: the braces make every queue key of an installation hash to one Cluster slot. */
  queuePrefix(): string {
    return `{${this.prefix}}`;
  }
}
