/**
 * Metadata the mappers need, fetched once per run and cached (crm-apis §4.5): deal pipelines with
 * their stage probabilities, and the owners' user ids (goal targets name users, not owners).
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Store } from '../../store/index.js';
import type { HubSpotGateway } from './gateway.js';
import { RawOwner, RawPipeline, zodReason } from './raw.js';
import type { DealStage } from './streams/spec.js';
import { OWNERS_STREAM } from './streams/index.js';

/** The part of the owners stream's checkpoint this cache reads (connector.ts writes it). */
const OwnersPairs = z.object({ userIds: z.array(z.tuple([z.string(), z.string()])).default([]), readAt: z.number().nullable().default(null) });

export interface MetadataCacheOptions {
  gateway: HubSpotGateway;
  logger: Logger;
  /** how long fetched metadata stays fresh (one run, roughly) */
  ttlMs?: number;
  now?: () => number;
}

type Counter = { calls: number };

export class MetadataCache {
  private stages: { at: number; value: Map<string, DealStage> } | null = null;
  private owners: { at: number; value: Map<string, string> } | null = null;

  constructor(private readonly options: MetadataCacheOptions) {}

  private fresh(at: number): boolean {
    return (this.options.now ?? Date.now)() - at < (this.options.ttlMs ?? 10 * 60_000);
  }

  async dealStages(counter: Counter, signal?: AbortSignal): Promise<Map<string, DealStage>> {
    if (this.stages && this.fresh(this.stages.at)) return this.stages.value;
    const response = await this.options.gateway.call(
      { operation: 'deal pipelines read', scope: 'crm.objects.deals.read', idempotent: true, counter },
      (c, o) => c.crm.pipelines.pipelinesApi.getAll('deals', o),
      signal,
    );
    const value = new Map<string, DealStage>();
    for (const raw of response.results) {
      const parsed = RawPipeline.safeParse(raw);
      if (!parsed.success) {
        this.options.logger.warn(`HubSpot deal pipeline ${String((raw as { id?: unknown }).id)}: unreadable (${zodReason(parsed.error)}); its deals get no stage probability`);
        continue;
      }
      for (const s of parsed.data.stages) {
        const probability = s.metadata?.probability === undefined || s.metadata.probability === null ? null : Number(s.metadata.probability);
        value.set(s.id, {
          pipelineId: parsed.data.id,
          pipelineLabel: parsed.data.label,
          label: s.label,
          probability: probability !== null && Number.isFinite(probability) ? probability : null,
          isClosed: String(s.metadata?.isClosed ?? 'false') === 'true',
        });
      }
    }
    this.stages = { at: (this.options.now ?? Date.now)(), value };
    return value;
  }

  /** Filled by the owners stream as it reads; fetched here only when that stream has not run. */
  rememberOwners(pairs: Iterable<[userId: string, ownerId: string]>): void {
    const value = this.owners && this.fresh(this.owners.at) ? this.owners.value : new Map<string, string>();
    for (const [u, o] of pairs) value.set(u, o);
    this.owners = { at: (this.options.now ?? Date.now)(), value };
  }

  /**
   * user id → owner id: what this process's owners stream read, else what the owners stream of
   * this cycle (any process) saved in its checkpoint, else one read of the owners list.
   */
  async ownerIdByUserId(counter: Counter, signal?: AbortSignal, store?: Store): Promise<Map<string, string>> {
    if (this.owners && this.fresh(this.owners.at)) return this.owners.value;
    if (store) {
      const saved = OwnersPairs.safeParse(await store.checkpoints.get('hubspot', OWNERS_STREAM));
      if (saved.success && saved.data.readAt !== null && this.fresh(saved.data.readAt)) {
        const value = new Map(saved.data.userIds);
        this.owners = { at: saved.data.readAt, value };
        return value;
      }
    }
    const value = new Map<string, string>();
    let after: string | undefined;
    do {
      const page = await this.options.gateway.call(
        { operation: 'owners list', scope: 'crm.objects.owners.read', idempotent: true, counter },
        (c, o) => c.crm.owners.ownersApi.getPage(undefined, after, 100, false, o),
        signal,
      );
      for (const raw of page.results) {
        const parsed = RawOwner.safeParse(raw);
        if (parsed.success && parsed.data.userId !== null && parsed.data.userId !== undefined) value.set(String(parsed.data.userId), parsed.data.id);
      }
      after = page.paging?.next?.after;
    } while (after);
    this.owners = { at: (this.options.now ?? Date.now)(), value };
    return value;
  }
}
