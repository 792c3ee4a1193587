/**
 * /crm/v3/properties: property and group CRUD, batch create/read/archive. Duplicate names are 409;
 * a created property is immediately readable and writable on records.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { RouteContext } from '../context.js';
import { HubSpotError, sendJson, validationError } from '../errors.js';
import type { ObjectTypeDef } from '../objectTypes.js';
import { boolParam, objectTypeParam, parseBody } from '../params.js';
import type { PropertyDef, PropertyGroup } from '../properties.js';

const OptionSchema = z.object({
  label: z.string(),
  value: z.string(),
  displayOrder: z.number().int().optional(),
  hidden: z.boolean().optional(),
  description: z.string().optional(),
});

const PropertyCreateSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must start with a lowercase letter and contain only lowercase letters, digits and underscores'),
  label: z.string().min(1),
  type: z.enum(['string', 'number', 'date', 'datetime', 'enumeration', 'bool', 'phone_number']),
  fieldType: z.enum(['textarea', 'text', 'date', 'file', 'number', 'select', 'radio', 'checkbox', 'booleancheckbox', 'calculation_equation', 'phonenumber', 'html']),
  groupName: z.string().min(1),
  description: z.string().optional(),
  options: z.array(OptionSchema).optional(),
  displayOrder: z.number().int().optional(),
  hasUniqueValue: z.boolean().optional(),
  hidden: z.boolean().optional(),
  formField: z.boolean().optional(),
});
type PropertyCreate = z.infer<typeof PropertyCreateSchema>;

const PropertyUpdateSchema = PropertyCreateSchema.omit({ name: true, hasUniqueValue: true }).partial();
const GroupCreateSchema = z.object({ name: z.string().regex(/^[a-z][a-z0-9_]*$/), label: z.string().min(1), displayOrder: z.number().int().optional() });
const GroupUpdateSchema = GroupCreateSchema.omit({ name: true }).partial();

/** The Property JSON HubSpot returns. */
function propertyJson(p: PropertyDef): Record<string, unknown> {
  const { readOnlyValue, ...rest } = p;
  return {
    ...rest,
    modificationMetadata: { archivable: !p.hubspotDefined, readOnlyDefinition: p.hubspotDefined, readOnlyValue },
  };
}

function groupJson(g: PropertyGroup): Record<string, unknown> {
  return { name: g.name, label: g.label, displayOrder: g.displayOrder, archived: g.archived };
}

function notFound(type: ObjectTypeDef, name: string, what = 'property'): HubSpotError {
  return new HubSpotError(404, 'OBJECT_NOT_FOUND', `Unable to find ${what} named "${name}" on object type ${type.name}.`, { context: { name: [name] } });
}

function duplicate(type: ObjectTypeDef, name: string, what = 'property'): HubSpotError {
  return new HubSpotError(409, 'OBJECT_ALREADY_EXISTS', `A ${what} named "${name}" already exists on object type ${type.name}.`, {
    subCategory: what === 'property' ? 'PropertyValidationError.PROPERTY_EXISTS' : 'PropertyGroupError.GROUP_EXISTS',
    context: { name: [name] },
  });
}

export function propertyRoutes(ctx: RouteContext): Router {
  const { portal } = ctx;
  const registry = portal.properties;
  const router = Router();

  const create = (type: ObjectTypeDef, input: PropertyCreate): PropertyDef => {
    if (registry.getAny(type.name, input.name)) throw duplicate(type, input.name);
    if (!registry.group(type.name, input.groupName)) {
      throw validationError(`Property group "${input.groupName}" does not exist on ${type.name}; create it first (POST /crm/v3/properties/${type.name}/groups).`);
    }
    if (input.type === 'enumeration' && (input.options ?? []).length === 0) {
      throw validationError(`Enumeration property "${input.name}" needs at least one option.`);
    }
    const at = new Date(portal.nowMs()).toISOString();
    const def: PropertyDef = {
      name: input.name,
      label: input.label,
      type: input.type,
      fieldType: input.fieldType,
      groupName: input.groupName,
      description: input.description ?? '',
      options: (input.options ?? []).map((o, i) => ({ label: o.label, value: o.value, displayOrder: o.displayOrder ?? i, hidden: o.hidden ?? false, ...(o.description ? { description: o.description } : {}) })),
      displayOrder: input.displayOrder ?? -1,
      hasUniqueValue: input.hasUniqueValue ?? false,
      hidden: input.hidden ?? false,
      formField: input.formField ?? false,
      hubspotDefined: false,
      calculated: false,
      readOnlyValue: false,
      createdAt: at,
      updatedAt: at,
      archived: false,
    };
    registry.put(type.name, def);
    return def;
  };

  router.get('/crm/v3/properties/:type/groups', (req, res) => {
    const type = objectTypeParam(req.params.type);
    sendJson(res, 200, { results: registry.listGroups(type.name).map(groupJson) });
  });

  router.post('/crm/v3/properties/:type/groups', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(GroupCreateSchema, req.body);
    if (registry.groupAny(type.name, input.name)) throw duplicate(type, input.name, 'property group');
    const group: PropertyGroup = { name: input.name, label: input.label, displayOrder: input.displayOrder ?? -1, archived: false };
    registry.putGroup(type.name, group);
    sendJson(res, 201, groupJson(group));
  });

  router.get('/crm/v3/properties/:type/groups/:name', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const g = registry.group(type.name, req.params.name);
    if (!g) throw notFound(type, req.params.name, 'property group');
    sendJson(res, 200, groupJson(g));
  });

  router.patch('/crm/v3/properties/:type/groups/:name', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const g = registry.group(type.name, req.params.name);
    if (!g) throw notFound(type, req.params.name, 'property group');
    const input = parseBody(GroupUpdateSchema, req.body);
    if (input.label !== undefined) g.label = input.label;
    if (input.displayOrder !== undefined) g.displayOrder = input.displayOrder;
    sendJson(res, 200, groupJson(g));
  });

  router.delete('/crm/v3/properties/:type/groups/:name', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const g = registry.group(type.name, req.params.name);
    if (g) g.archived = true;
    res.status(204).end();
  });

  router.post('/crm/v3/properties/:type/batch/create', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(z.object({ inputs: z.array(PropertyCreateSchema) }), req.body);
    const startedAt = new Date().toISOString();
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const p of input.inputs) {
      try {
        results.push(propertyJson(create(type, p)));
      } catch (e) {
        if (!(e instanceof HubSpotError)) throw e;
        errors.push({ status: 'error', category: e.category, message: e.message, context: { name: [p.name] } });
      }
    }
    const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    if (errors.length > 0) Object.assign(body, { numErrors: errors.length, errors });
    sendJson(res, errors.length > 0 ? 207 : 201, body);
  });

  router.post('/crm/v3/properties/:type/batch/read', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(z.object({ archived: z.boolean().default(false), inputs: z.array(z.object({ name: z.string() })) }), req.body);
    const startedAt = new Date().toISOString();
    const results: unknown[] = [];
    const missing: string[] = [];
    for (const { name } of input.inputs) {
      const p = registry.getAny(type.name, name);
      if (p && p.archived === input.archived) results.push(propertyJson(p));
      else missing.push(name);
    }
    const body: Record<string, unknown> = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
    if (missing.length > 0) {
      Object.assign(body, { numErrors: 1, errors: [{ status: 'error', category: 'OBJECT_NOT_FOUND', message: `Unable to find properties on ${type.name}: ${missing.join(', ')}`, context: { names: missing } }] });
    }
    sendJson(res, missing.length > 0 ? 207 : 200, body);
  });

  router.post('/crm/v3/properties/:type/batch/archive', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const input = parseBody(z.object({ inputs: z.array(z.object({ name: z.string() })) }), req.body);
    for (const { name } of input.inputs) {
      const p = registry.get(type.name, name);
      if (p && !p.hubspotDefined) {
        Object.assign(p, { archived: true, archivedAt: new Date(portal.nowMs()).toISOString() });
        registry.version += 1;
      }
    }
    res.status(204).end();
  });

  router.get('/crm/v3/properties/:type', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const archived = boolParam((req.query as Record<string, unknown>).archived);
    sendJson(res, 200, { results: registry.list(type.name, archived).map(propertyJson) });
  });

  router.post('/crm/v3/properties/:type', (req, res) => {
    const type = objectTypeParam(req.params.type);
    sendJson(res, 201, propertyJson(create(type, parseBody(PropertyCreateSchema, req.body))));
  });

  router.get('/crm/v3/properties/:type/:name', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const archived = boolParam((req.query as Record<string, unknown>).archived);
    const p = registry.getAny(type.name, req.params.name);
    if (!p || p.archived !== archived) throw notFound(type, req.params.name);
    sendJson(res, 200, propertyJson(p));
  });

  router.patch('/crm/v3/properties/:type/:name', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const p = registry.get(type.name, req.params.name);
    if (!p) throw notFound(type, req.params.name);
    const input = parseBody(PropertyUpdateSchema, req.body);
    if (input.groupName !== undefined && !registry.group(type.name, input.groupName)) throw validationError(`Property group "${input.groupName}" does not exist on ${type.name}.`);
    const { options, ...simple } = input;
    Object.assign(p, simple, { updatedAt: new Date(portal.nowMs()).toISOString() });
    if (options) p.options = options.map((o, i) => ({ label: o.label, value: o.value, displayOrder: o.displayOrder ?? i, hidden: o.hidden ?? false }));
    registry.version += 1;
    sendJson(res, 200, propertyJson(p));
  });

  router.delete('/crm/v3/properties/:type/:name', (req, res) => {
    const type = objectTypeParam(req.params.type);
    const p = registry.get(type.name, req.params.name);
    if (p?.hubspotDefined) throw validationError(`"${p.name}" is a HubSpot-defined property and cannot be archived.`);
    if (p) {
      Object.assign(p, { archived: true, archivedAt: new Date(portal.nowMs()).toISOString() });
      registry.version += 1;
    }
    res.status(204).end();
  });

  return router;
}
