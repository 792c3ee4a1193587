/**
 * Associations: the HUBSPOT_DEFINED type-id table and an index that keeps each link on both records
 * (per target type one numeric id, or an array once there are several; see `RecordTable.links`), which is far more compact
 * than a hash map per pair at 1M+ activities. A "primary" link (deal → its primary company) is kept
 * as one id per child record; custom labels are rare and kept apart.
 */
import { findObjectType } from './objectTypes.js';

export interface AssociationTypeInfo {
  typeId: number;
  from: string;
  to: string;
  /** inline `type` name, e.g. "deal_to_company_unlabeled" */
  name: string;
  /** "Primary" for primary types, null for the unlabeled default */
  label: string | null;
  primary: boolean;
}

/** [from, to, unlabeled typeId, reverse unlabeled typeId, primary typeId?, reverse primary typeId?] */
type PairRow = [string, string, number, number, number?, number?];
const pairRows: PairRow[] = [
  ['contacts', 'companies', 279, 280, 1, 2],
  ['deals', 'companies', 341, 342, 5, 6],
  ['tickets', 'companies', 339, 340, 26, 25],
  ['deals', 'contacts', 3, 4],
  ['contacts', 'tickets', 15, 16],
  ['deals', 'line_items', 19, 20],
  ['deals', 'tickets', 27, 28],
  ['companies', 'calls', 181, 182],
  ['companies', 'emails', 185, 186],
  ['companies', 'meetings', 187, 188],
  ['companies', 'notes', 189, 190],
  ['companies', 'tasks', 191, 192],
  ['contacts', 'calls', 193, 194],
  ['contacts', 'emails', 197, 198],
  ['contacts', 'meetings', 199, 200],
  ['contacts', 'notes', 201, 202],
  ['contacts', 'tasks', 203, 204],
  ['deals', 'calls', 205, 206],
  ['deals', 'emails', 209, 210],
  ['deals', 'meetings', 211, 212],
  ['deals', 'notes', 213, 214],
  ['deals', 'tasks', 215, 216],
  ['tickets', 'calls', 219, 220],
  ['tickets', 'emails', 223, 224],
  ['tickets', 'meetings', 225, 226],
  ['tickets', 'notes', 227, 228],
  ['tickets', 'tasks', 229, 230],
  ['companies', 'companies', 450, 450],
  ['contacts', 'contacts', 449, 449],
  ['deals', 'deals', 451, 451],
];

function singular(typeName: string): string {
  return findObjectType(typeName)?.singular ?? typeName;
}

interface PairTypes {
  unlabeled: AssociationTypeInfo;
  primary?: AssociationTypeInfo;
  /** true when the primary link is stored on this side (the child: deal → company) */
  primaryOwner: boolean;
}

const pairs = new Map<string, PairTypes>();
const byTypeId = new Map<number, AssociationTypeInfo>();

function register(from: string, to: string, unlabeledId: number, primaryId: number | undefined, primaryOwner: boolean): void {
  const base = `${singular(from)}_to_${singular(to)}`;
  const unlabeled: AssociationTypeInfo = {
    typeId: unlabeledId, from, to, name: primaryId ? `${base}_unlabeled` : base, label: null, primary: false,
  };
  const primary: AssociationTypeInfo | undefined = primaryId
    ? { typeId: primaryId, from, to, name: base, label: 'Primary', primary: true }
    : undefined;
  pairs.set(`${from}>${to}`, { unlabeled, primary, primaryOwner });
  if (!byTypeId.has(unlabeledId)) byTypeId.set(unlabeledId, unlabeled);
  if (primary) byTypeId.set(primary.typeId, primary);
}

for (const [from, to, fwd, rev, pFwd, pRev] of pairRows) {
  register(from, to, fwd, pFwd, true);
  if (from !== to) register(to, from, rev, pRev, false);
}

export function pairTypes(from: string, to: string): PairTypes | undefined {
  return pairs.get(`${from}>${to}`);
}

export function associationTypeById(typeId: number): AssociationTypeInfo | undefined {
  return byTypeId.get(typeId);
}

/** Every HUBSPOT_DEFINED type between two object types (for the labels endpoint). */
export function typesBetween(from: string, to: string): AssociationTypeInfo[] {
  const p = pairs.get(`${from}>${to}`);
  return p ? [p.unlabeled, ...(p.primary ? [p.primary] : [])] : [];
}

/** A record's targets of one type as stored: a bare id while there is one (most links), an array after. */
export type Targets = number | number[];

/** A record's links to one target type, read and replaced whole. */
export interface LinkHolder {
  linkTargets(to: string): Targets | undefined;
  setLinkTargets(to: string, targets: Targets | undefined): void;
}

/** Finds a record by type name and id (the index keeps links on the records themselves). */
export type RecordResolver = (typeName: string, id: string) => LinkHolder | undefined;

export class AssociationIndex {
  /** "child>parent" → child id → primary parent id (deal → company), as numbers */
  private readonly primaries = new Map<string, Map<number, number>>();
  /** "from>to:fromId:toId" → extra USER_DEFINED type ids, both directions */
  private readonly labels = new Map<string, number[]>();

  constructor(private readonly resolve: RecordResolver) {}

  private link(from: string, fromId: string, to: string, toId: string): boolean {
    const record = this.resolve(from, fromId);
    if (!record) return false;
    const target = Number(toId);
    const current = record.linkTargets(to);
    if (current === undefined) {
      record.setLinkTargets(to, target);
      return true;
    }
    if (typeof current === 'number') {
      if (current === target) return false;
      record.setLinkTargets(to, [current, target]);
      return true;
    }
    if (current.includes(target)) return false;
    current.push(target);
    return true;
  }

  private unlink(from: string, fromId: string, to: string, toId: string): void {
    const record = this.resolve(from, fromId);
    const current = record?.linkTargets(to);
    if (!record || current === undefined) return;
    const target = Number(toId);
    if (typeof current === 'number') {
      if (current === target) record.setLinkTargets(to, undefined);
      return;
    }
    const i = current.indexOf(target);
    if (i >= 0) current.splice(i, 1);
    if (current.length === 1) record.setLinkTargets(to, current[0]!);
    else if (current.length === 0) record.setLinkTargets(to, undefined);
  }

  /**
   * Links two records in both directions. `primary` marks the target as the record's primary parent
   * (only for pairs that have a primary type); `labelTypeIds` adds USER_DEFINED labels.
   * Returns true when anything changed; false too when either record does not exist.
   */
  add(from: string, fromId: string, to: string, toId: string, opts: { primary?: boolean; labelTypeIds?: number[] } = {}): boolean {
    if (!this.resolve(from, fromId) || !this.resolve(to, toId)) return false;
    let changed = this.link(from, fromId, to, toId);
    if (from !== to || fromId !== toId) changed = this.link(to, toId, from, fromId) || changed;
    if (opts.primary) {
      const fwd = pairTypes(from, to);
      const [child, childId, parentId, parent] = fwd?.primaryOwner ? [from, fromId, toId, to] : [to, toId, fromId, from];
      const k = `${child}>${parent}`;
      let m = this.primaries.get(k);
      if (!m) this.primaries.set(k, (m = new Map()));
      if (m.get(Number(childId)) !== Number(parentId)) {
        m.set(Number(childId), Number(parentId));
        changed = true;
      }
    }
    for (const typeId of opts.labelTypeIds ?? []) {
      for (const k of [`${from}>${to}:${fromId}:${toId}`, `${to}>${from}:${toId}:${fromId}`]) {
        const list = this.labels.get(k) ?? [];
        if (!list.includes(typeId)) {
          list.push(typeId);
          this.labels.set(k, list);
          changed = true;
        }
      }
    }
    return changed;
  }

  /** Removes the link (all types) in both directions. */
  remove(from: string, fromId: string, to: string, toId: string): boolean {
    const existed = this.targets(from, fromId, to).includes(toId);
    this.unlink(from, fromId, to, toId);
    this.unlink(to, toId, from, fromId);
    for (const [child, childId, parent, parentId] of [[from, fromId, to, toId], [to, toId, from, fromId]] as const) {
      const m = this.primaries.get(`${child}>${parent}`);
      if (m?.get(Number(childId)) === Number(parentId)) m.delete(Number(childId));
    }
    this.labels.delete(`${from}>${to}:${fromId}:${toId}`);
    this.labels.delete(`${to}>${from}:${toId}:${fromId}`);
    return existed;
  }

  /**
   * A merge: every link of `fromId` moves to `intoId` (same types, labels kept; a target `intoId`
   * already has is not linked twice), then `fromId` has none. A primary link moves when the merged
   * record was the parent (its deals now belong to the survivor) or when the survivor has no primary
   * of its own for that pair; a link between the two records themselves is dropped. Returns the links
   * created and removed (call accounting).
   */
  moveAll(typeName: string, fromId: string, intoId: string): { created: number; removed: number } {
    let created = 0;
    let removed = 0;
    for (const [key, pt] of pairs) {
      const [from, to] = key.split('>') as [string, string];
      if (from !== typeName) continue;
      for (const toId of this.targets(typeName, fromId, to)) {
        const typeIds = this.typeIds(typeName, fromId, to, toId);
        if (this.remove(typeName, fromId, to, toId)) removed += 1;
        if (to === typeName && (toId === intoId || toId === fromId)) continue;
        const wasPrimary = pt.primary !== undefined && typeIds.includes(pt.primary.typeId);
        const keepsOwn = pt.primaryOwner && this.primaries.get(`${typeName}>${to}`)?.has(Number(intoId)) === true;
        const labelTypeIds = typeIds.filter((id) => id !== pt.unlabeled.typeId && id !== pt.primary?.typeId);
        if (this.add(typeName, intoId, to, toId, { primary: wasPrimary && !keepsOwn, labelTypeIds })) created += 1;
      }
    }
    return { created, removed };
  }

  /** Target ids in link order. */
  targets(from: string, fromId: string, to: string): string[] {
    const current = this.resolve(from, fromId)?.linkTargets(to);
    return current === undefined ? [] : typeof current === 'number' ? [String(current)] : current.map(String);
  }

  /** The type ids one link carries: the unlabeled default, primary when it is, and any labels. */
  typeIds(from: string, fromId: string, to: string, toId: string): number[] {
    const pt = pairTypes(from, to);
    const ids: number[] = [];
    if (pt?.primary) {
      const isPrimary = pt.primaryOwner
        ? this.primaries.get(`${from}>${to}`)?.get(Number(fromId)) === Number(toId)
        : this.primaries.get(`${to}>${from}`)?.get(Number(toId)) === Number(fromId);
      if (isPrimary) ids.push(pt.primary.typeId);
    }
    if (pt) ids.push(pt.unlabeled.typeId);
    ids.push(...(this.labels.get(`${from}>${to}:${fromId}:${toId}`) ?? []));
    return ids;
  }
}
