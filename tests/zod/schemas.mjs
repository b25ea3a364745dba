// Morph's zod schemas, written from ../shared/spec/models.md and contract.md (the envelope),
// for the models the library types. zod is the version Morph's resource-models package asks
// for (3.24.1, pinned in package-lock.json).
//
// The mutator (mutate.mjs) reads these schemas back (their shape, enums and checks), so each
// model is described here once.
import { z } from 'zod';

/** The target model of every schema made by morph_resource(), for the mutator. */
export const ref_targets = new WeakMap();

/**
 * `z.morph.resource(model)` (Morph's `zMoprhResource`): the object Morph's helper accepts,
 * refined to the shape of its output, which is what Morph sends (contract.md, "ResourceRef";
 * models.md, "The reference helper"): `object` present; a plain ref ("resourceRef") carries
 * the target model, an expanded one ("resource") a model string of its own (the helper writes
 * the input's model, else the target: never none).
 */
export function morph_resource(model) {
  const schema = z
    .object({
      id: z.string(),
      object: z.enum(['resourceRef', 'resource']).optional(),
      model: z.string().optional(),
      fields: z.any().optional(),
      rawResource: z.any().optional(),
      remote: z.object({ id: z.string().optional() }).optional(),
      createdAt: z.string().optional(),
      updatedAt: z.string().optional(),
    })
    .superRefine((ref, ctx) => {
      if (ref.object === undefined) {
        ctx.addIssue({ code: 'custom', path: ['object'], message: 'the helper always writes object' });
      } else if (ref.object === 'resourceRef' && ref.model !== model) {
        ctx.addIssue({ code: 'custom', path: ['model'], message: `the helper writes model ${model}` });
      } else if (ref.object === 'resource' && ref.model === undefined) {
        // The helper's output for an expanded ref always has a model (the input's, else M).
        ctx.addIssue({ code: 'custom', path: ['model'], message: 'the helper always writes model' });
      }
    });
  ref_targets.set(schema, model);
  return schema;
}

const datetime = () => z.string().datetime();

// ---- nested objects (models.md: telephonyCallTranscript, schedulingEventType,
// schedulingEvent) ----

/** A `questions` item: a union on `type`; `options` belongs to select and multiselect. */
function question() {
  const base = {
    key: z.string(),
    name: z.string(),
    required: z.boolean(),
    description: z.string().optional(),
    default: z.string().optional(),
  };
  const options = z.array(z.object({ value: z.string(), name: z.string() }));
  return z.discriminatedUnion('type', [
    z.object({ type: z.literal('text'), ...base }),
    z.object({ type: z.literal('number'), ...base }),
    z.object({ type: z.literal('select'), ...base, options }),
    z.object({ type: z.literal('multiselect'), ...base, options }),
  ]);
}

/** The `fields` shapes of the models with nested objects. */
const nested_fields = {
  telephonyCallTranscript: {
    call: morph_resource('telephonyCall').optional(),
    duration: z.number().int().min(0),
    segments: z.array(z.object({
      start: z.number().min(0),
      end: z.number().min(0),
      text: z.string(),
      speakerId: z.string(),
    })),
    speakers: z.array(z.object({
      id: z.string(),
      origin: z.enum(['internal', 'external', 'unknown']),
      name: z.string().optional(),
      phone: z.string().optional(),
      email: z.string().email().optional(),
      user: morph_resource('genericUser').optional(),
      contact: morph_resource('genericContact').optional(),
    })),
  },
  schedulingEventType: {
    name: z.string(),
    status: z.enum(['active', 'inactive']),
    durations: z.array(z.number().int().min(0)).optional(),
    questions: z.array(question()),
    schedulingUrl: z.string(),
    slots: z.array(morph_resource('schedulingSlot').optional()).optional(),
    owner: morph_resource('genericUser').optional(),
  },
  schedulingEvent: {
    eventType: morph_resource('schedulingEventType').optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    status: z.enum(['requested', 'planned', 'inProgress', 'completed', 'canceled']).optional(),
    startTime: datetime(),
    endTime: datetime().optional(),
    duration: z.number().optional(),
    attendees: z.array(morph_resource('genericUser')).optional(),
    externalAttendees: z.array(z.object({
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      email: z.string(),
      phoneNumber: z.string().optional(),
    })),
    organizer: morph_resource('genericUser').optional(),
    answers: z.record(z.union([z.string(), z.array(z.string()), z.number()])),
  },
};

/** The `fields` shape of each model, as models.md gives it. */
export const fields = {
  crmEngagement: {
    type: z.enum(['call', 'meeting', 'email', 'task', 'note']),
    direction: z.enum(['inbound', 'outbound']).optional(),
    status: z.enum(['planned', 'inProgress', 'completed', 'canceled']).optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    startedAt: datetime(),
    endedAt: datetime().optional(),
    duration: z.number().int().min(0).optional(),
    owner: morph_resource('genericUser').optional(),
    users: z.array(morph_resource('genericUser')).optional(),
    companies: z.array(morph_resource('genericCompany')).optional(),
    contacts: z.array(morph_resource('genericContact')).optional(),
    opportunities: z.array(morph_resource('crmOpportunity')).optional(),
  },
  genericContact: {
    firstName: z.string().min(1).max(250).optional(),
    lastName: z.string().min(1).max(250).optional(),
    email: z.string().email().min(5).max(250).optional(),
    phone: z.string().min(5).max(20).optional(),
  },
  telephonyCall: {
    direction: z.enum(['inbound', 'outbound']),
    status: z.enum(['planned', 'inProgress', 'completed', 'missed', 'voicemail']),
    startedAt: datetime(),
    answeredAt: datetime().optional(),
    endedAt: datetime().optional(),
    duration: z.number().int().min(0).optional(),
    recordingUrl: z.string().optional(),
    users: z.array(morph_resource('genericUser')).optional(),
    contacts: z.array(morph_resource('genericContact')).optional(),
    externalNumber: z.string().optional(),
    internalNumber: z.string().optional(),
    transcript: morph_resource('telephonyCallTranscript').optional(),
  },
  ...nested_fields,
};

// ---- the flat models (branch scalars): numbers, booleans, optional-item ref lists ----------

/**
 * accountingInvoice's dates: any string, rewritten to Date.toISOString() form ("" becomes
 * absent); text Date cannot read makes the transform throw (RangeError), not fail validation.
 */
const iso_date = () => z.string().transform((d) => (d ? new Date(d).toISOString() : undefined));
const name_1_250 = () => z.string().min(1).max(250);

Object.assign(fields, {
  genericCompany: {
    name: name_1_250().optional(),
  },
  genericUser: {
    firstName: name_1_250().optional(),
    lastName: name_1_250().optional(),
    email: z.string().email().min(5).max(250).optional(),
  },
  genericWorkspace: {
    name: name_1_250(),
  },
  crmOpportunity: {
    name: name_1_250().optional(),
    amount: z.number().min(0).optional(),
    currency: z.string().min(3).max(3).optional(),
    stage: morph_resource('crmStage').optional(),
    pipeline: morph_resource('crmPipeline').optional(),
    owner: morph_resource('genericUser').optional(),
    contacts: z.array(morph_resource('genericContact').optional()).optional(),
    companies: z.array(morph_resource('genericCompany').optional()).optional(),
    engagements: z.array(morph_resource('crmEngagement').optional()).optional(),
  },
  crmStage: {
    name: name_1_250(),
    type: z.enum(['open', 'won', 'lost', 'unknown']),
    pipeline: morph_resource('crmPipeline').optional(),
  },
  crmPipeline: {
    name: name_1_250().optional(),
    stages: z.array(morph_resource('crmStage')),
  },
  widgetCardView: {
    triggeredBy: morph_resource('genericUser').optional(),
    genericContact: morph_resource('genericContact').optional(),
    genericCompany: morph_resource('genericCompany').optional(),
    crmOpportunity: morph_resource('crmOpportunity').optional(),
  },
  schedulingSlot: {
    eventType: morph_resource('schedulingEventType').optional(),
    timezone: z.string().optional(),
    status: z.enum(['available', 'unavailable']),
    date: z.string(),
    startTime: z.string(),
  },
  accountingInvoice: {
    invoiceCode: name_1_250(),
    customerContact: morph_resource('genericContact').optional(),
    customerCompany: morph_resource('genericCompany').optional(),
    issuedAt: iso_date().optional(),
    dueAt: iso_date().optional(),
    paidAt: iso_date().optional(),
    status: z.enum(['draft', 'paid', 'void', 'overdue', 'pending']),
    lineItems: z.array(morph_resource('accountingInvoiceLineItem')).optional(),
    currency: z.string().min(3).max(3),
    preTaxAmount: z.number().min(0),
    taxAmount: z.number().min(0),
    totalAmount: z.number().min(0),
    inclusiveOfTax: z.boolean(),
    balance: z.number().min(0),
    note: z.string().optional(),
  },
  accountingInvoiceLineItem: {
    invoice: morph_resource('accountingInvoice').optional(),
    item: morph_resource('accountingInvoiceItem').optional(),
    description: z.string(),
    pricePerUnit: z.number().min(0),
    quantity: z.number().min(0),
    totalAmount: z.number().min(0),
  },
  accountingInvoiceItem: {
    name: z.string(),
    description: z.string().optional(),
    code: z.string().optional(),
    price: z.number().min(0).optional(),
    currency: z.string().optional(),
  },
});

/** True for a `.transform()` (refs are `.superRefine()` effects: not transforms). */
export function is_transform(schema) {
  return schema instanceof z.ZodEffects && schema._def.effect.type === 'transform';
}

/**
 * The shape zod validates before any transform: each `z.string().transform(...)` field as its
 * `z.string()`. The library's strict policy checks this (a throwing transform gives no verdict).
 */
export function input_fields(model) {
  return Object.fromEntries(Object.entries(fields[model]).map(([name, s]) => {
    const optional = s instanceof z.ZodOptional;
    const inner = optional ? s.unwrap() : s;
    if (!is_transform(inner)) return [name, s];
    return [name, optional ? inner.innerType().optional() : inner.innerType()];
  }));
}

/** The whole body of a `model` event: contract.md's envelope around the model's fields. */
export function event_schema(model, shape = fields[model]) {
  return z.object({
    event: z.string().regex(new RegExp(`^${model}::(created|updated|deleted)$`)),
    data: z.object({
      object: z.literal('resource'),
      model: z.literal(model),
      id: z.string().min(1),
      fields: z.object(shape),
      createdAt: datetime(),
      updatedAt: datetime(),
      rawResource: z.any().optional(),
      warnings: z.array(z.object({ code: z.string(), message: z.string().optional() })).optional(),
    }),
  });
}
