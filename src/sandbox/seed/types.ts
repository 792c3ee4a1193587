/**
 * A seeded company, CRM-neutral: the generator (generate.ts) produces it, and each simulated CRM
 * (hubspot/, salesforce/) loads the part that lives in it, in its own shapes and ids.
 *
 * Keys (`key`) are the generator's own stable ids (e.g. "acct-000042"); each CRM server assigns
 * its own external ids when it loads them and keeps a key → id map so tests can find a record.
 * Dates are ISO strings; amounts are in USD.
 */

export type SeedCrm = 'hubspot' | 'salesforce';

/**
 * CRM-neutral deal stages. Each CRM server maps them onto its own pipeline:
 * HubSpot default pipeline ids (appointmentscheduled 0.2, qualifiedtobuy 0.4, presentationscheduled
 * 0.6, decisionmakerboughtin 0.8, contractsent 0.9, closedwon, closedlost) and Salesforce default
 * StageNames (Prospecting, Qualification, Proposal/Price Quote, Negotiation/Review, ... Closed Won,
 * Closed Lost) with their probabilities and forecast categories.
 */
export const seedStages = ['discovery', 'qualified', 'proposal', 'negotiation', 'contract', 'won', 'lost'] as const;
export type SeedStage = (typeof seedStages)[number];

export interface SeedTeam {
  key: string;
  name: string;
  /** the manager's owner key */
  managerKey: string;
}

export interface SeedOwner {
  key: string;
  firstName: string;
  lastName: string;
  email: string;
  /** owner key of the manager; null for the head of sales */
  managerKey: string | null;
  teamKey: string | null;
  active: boolean;
}

export interface SeedQuota {
  ownerKey: string;
  /** first and last day of a fiscal quarter (calendar quarters by default) */
  periodStart: string;
  periodEnd: string;
  amount: number;
}

export interface SeedProduct {
  key: string;
  name: string;
  sku: string;
  family: string;
  price: number;
}

export interface SeedAccount {
  key: string;
  name: string;
  /** e.g. "northwind-logistics.com" */
  domain: string;
  industry: string;
  employees: number;
  annualRevenue: number;
  ownerKey: string;
  /** which CRM(s) hold it; 'both' is the planted cross-CRM duplicate (same domain) */
  crm: SeedCrm | 'both';
  createdAt: string;
  /** next contract renewal date (YYYY-MM-DD) */
  renewalDate: string | null;
  /** planted label: this account churns (activity declines before, renewal lost) */
  churned: boolean;
  /** planted product-usage index (last 6 months, oldest first), for a mapped usage field */
  usage: number[];
}

export interface SeedContact {
  key: string;
  accountKey: string;
  firstName: string;
  lastName: string;
  email: string;
  title: string;
  active: boolean;
  createdAt: string;
}

export interface SeedDealChange {
  at: string;
  field: 'stage' | 'amount' | 'closeDate';
  from: string | null;
  to: string;
}

export interface SeedLineItem {
  key: string;
  productKey: string;
  quantity: number;
  unitPrice: number;
}

export interface SeedDeal {
  key: string;
  accountKey: string;
  ownerKey: string;
  name: string;
  /** null on a few deals on purpose (data-quality path) */
  amount: number | null;
  stage: SeedStage;
  /** YYYY-MM-DD */
  closeDate: string;
  createdAt: string;
  type: 'new' | 'renewal' | 'expansion';
  /** changes in time order; the current values are the last of each field */
  history: SeedDealChange[];
  lineItems: SeedLineItem[];
}

export type SeedActivityType = 'call' | 'email' | 'meeting' | 'task' | 'note';

export interface SeedActivity {
  key: string;
  accountKey: string;
  contactKey: string | null;
  dealKey: string | null;
  ownerKey: string;
  type: SeedActivityType;
  at: string;
  direction: 'inbound' | 'outbound' | null;
  subject: string;
  body: string;
  /** tasks only */
  completed: boolean | null;
}

export interface SeedTicket {
  key: string;
  accountKey: string;
  subject: string;
  priority: 'low' | 'medium' | 'high' | 'urgent';
  status: 'open' | 'closed';
  escalated: boolean;
  createdAt: string;
  closedAt: string | null;
}

export interface SeedOrg {
  seed: number;
  /** the generator's "today" (data is laid out relative to it) */
  asOf: string;
  teams: SeedTeam[];
  owners: SeedOwner[];
  quotas: SeedQuota[];
  products: SeedProduct[];
  accounts: SeedAccount[];
  contacts: SeedContact[];
  deals: SeedDeal[];
  activities: SeedActivity[];
  tickets: SeedTicket[];
  /** competitor names the notes mention (for the configuration's competitor list) */
  competitors: string[];
}

export interface SeedOptions {
  seed?: number;
  accounts?: number;
  /** "today" for the generated data (YYYY-MM-DD); default: today (UTC). Tests pin it for exact assertions. */
  asOf?: string;
}
