/**
 * Property definitions and groups per object type: what `/crm/v3/properties` serves and what record
 * writes are validated against. A property created through the API is usable on records at once.
 */
import { computedCatalog, defaultGroups, propertyCatalog, type CatalogRow, type PropertyType } from './propertyCatalog.js';
import { objectTypes } from './objectTypes.js';

export interface PropertyOption {
  label: string;
  value: string;
  displayOrder: number;
  hidden: boolean;
  description?: string;
}

export interface PropertyDef {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  description: string;
  options: PropertyOption[];
  displayOrder: number;
  hasUniqueValue: boolean;
  hidden: boolean;
  formField: boolean;
  hubspotDefined: boolean;
  calculated: boolean;
  /** true for values HubSpot computes (hs_object_id, createdate, ...): never writable */
  readOnlyValue: boolean;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

export interface PropertyGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

function humanLabel(name: string): string {
  return name.replace(/^hs_/, '').split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

function options(values: string[] | undefined): PropertyOption[] {
  return (values ?? []).map((v, i) => ({ label: humanLabel(v.toLowerCase()), value: v, displayOrder: i, hidden: false }));
}

export class PropertyRegistry {
  private readonly props = new Map<string, Map<string, PropertyDef>>();
  private readonly groups = new Map<string, Map<string, PropertyGroup>>();
  /** bumped on every definition change (search caches key on it) */
  version = 0;

  constructor(private readonly options: { createdAt: string }) {
    for (const t of objectTypes) {
      const props = new Map<string, PropertyDef>();
      const groups = new Map<string, PropertyGroup>();
      for (const [i, g] of (defaultGroups[t.name] ?? []).entries()) groups.set(g.name, { ...g, displayOrder: i, archived: false });
      this.props.set(t.name, props);
      this.groups.set(t.name, groups);
      const group = [...groups.keys()][0] ?? 'information';
      for (const row of propertyCatalog[t.name] ?? []) this.addRow(t.name, row, group, { hubspotDefined: true, readOnly: false });
      for (const row of computedCatalog[t.name] ?? []) this.addRow(t.name, row, group, { hubspotDefined: true, readOnly: true });
      this.addRow(t.name, ['hs_object_id', 'number', 'number'], group, { hubspotDefined: true, readOnly: true });
      this.addRow(t.name, ['createdate', 'datetime', 'date'], group, { hubspotDefined: true, readOnly: true });
      this.addRow(t.name, [t.lastModifiedProperty, 'datetime', 'date'], group, { hubspotDefined: true, readOnly: true });
    }
    this.get('contacts', 'email')!.hasUniqueValue = true;
  }

  /** Adds a catalog row (used for built-ins and the seed's custom properties). */
  addRow(typeName: string, row: CatalogRow, fallbackGroup: string, flags: { hubspotDefined: boolean; readOnly: boolean }): PropertyDef {
    const [name, type, fieldType, group, values] = row;
    const def: PropertyDef = {
      name,
      label: humanLabel(name),
      type,
      fieldType,
      groupName: group ?? fallbackGroup,
      description: '',
      options: options(values),
      displayOrder: -1,
      hasUniqueValue: false,
      hidden: false,
      formField: !flags.readOnly,
      hubspotDefined: flags.hubspotDefined,
      calculated: flags.readOnly,
      readOnlyValue: flags.readOnly,
      createdAt: this.options.createdAt,
      updatedAt: this.options.createdAt,
      archived: false,
    };
    this.map(typeName).set(name, def);
    this.version += 1;
    return def;
  }

  private map(typeName: string): Map<string, PropertyDef> {
    let m = this.props.get(typeName);
    if (!m) this.props.set(typeName, (m = new Map()));
    return m;
  }

  /** A live (not archived) property, or undefined. */
  get(typeName: string, name: string): PropertyDef | undefined {
    const p = this.props.get(typeName)?.get(name);
    return p && !p.archived ? p : undefined;
  }

  /** Including archived ones, for 409 checks and `archived=true` reads. */
  getAny(typeName: string, name: string): PropertyDef | undefined {
    return this.props.get(typeName)?.get(name);
  }

  list(typeName: string, archived: boolean): PropertyDef[] {
    return [...(this.props.get(typeName)?.values() ?? [])].filter((p) => p.archived === archived);
  }

  put(typeName: string, def: PropertyDef): void {
    this.map(typeName).set(def.name, def);
    this.version += 1;
  }

  group(typeName: string, name: string): PropertyGroup | undefined {
    const g = this.groups.get(typeName)?.get(name);
    return g && !g.archived ? g : undefined;
  }

  groupAny(typeName: string, name: string): PropertyGroup | undefined {
    return this.groups.get(typeName)?.get(name);
  }

  listGroups(typeName: string): PropertyGroup[] {
    return [...(this.groups.get(typeName)?.values() ?? [])].filter((g) => !g.archived);
  }

  putGroup(typeName: string, group: PropertyGroup): void {
    let m = this.groups.get(typeName);
    if (!m) this.groups.set(typeName, (m = new Map()));
    m.set(group.name, group);
  }

  /** Names of properties whose values must be unique (usable as `idProperty`). */
  uniqueNames(typeName: string): string[] {
    const out: string[] = [];
    for (const p of this.props.get(typeName)?.values() ?? []) if (p.hasUniqueValue && !p.archived) out.push(p.name);
    return out;
  }
}
