/**
 * Fixed vocabulary of the seeded company: what it sells, whom it sells to, who sells, and the
 * words its notes, emails and tickets are made of. Everything here is constant data; the planted
 * patterns that use it are described in README.md.
 */
import type { SeedActivityType, SeedProduct } from './types.js';

/** The selling company's email domain (owners' addresses). */
export const SELLER_DOMAIN = 'northbeam.example';

export const COMPETITORS = ['Vantora', 'Pipewell', 'Brightlane', 'Kestrelio'] as const;

/**
 * ~12 products in 5 families. Product keys are used by the planted co-purchase rules in
 * generate.ts (the "bundle" Dashboards + API Access leading to Forecasting; SSO with Audit Log;
 * the rare Compliance family).
 */
export const PRODUCTS: readonly SeedProduct[] = [
  { key: 'prod-core', name: 'Northbeam Core', sku: 'PLT-CORE', family: 'Platform', price: 12_000 },
  { key: 'prod-core-ent', name: 'Northbeam Core Enterprise', sku: 'PLT-ENT', family: 'Platform', price: 30_000 },
  { key: 'prod-dash', name: 'Insight Dashboards', sku: 'ANL-DASH', family: 'Analytics', price: 6_000 },
  { key: 'prod-fcst', name: 'Forecasting AI', sku: 'ANL-FCST', family: 'Analytics', price: 9_000 },
  { key: 'prod-dwh', name: 'Warehouse Connector', sku: 'ANL-DWH', family: 'Analytics', price: 5_000 },
  { key: 'prod-sso', name: 'Single Sign-On', sku: 'SEC-SSO', family: 'Security', price: 3_000 },
  { key: 'prod-audit', name: 'Audit Log', sku: 'SEC-AUD', family: 'Security', price: 2_500 },
  { key: 'prod-dlp', name: 'Data Loss Prevention', sku: 'SEC-DLP', family: 'Security', price: 7_000 },
  { key: 'prod-api', name: 'API Access', sku: 'INT-API', family: 'Integrations', price: 4_000 },
  { key: 'prod-wfl', name: 'Workflow Automation', sku: 'INT-WFL', family: 'Integrations', price: 5_500 },
  { key: 'prod-hipaa', name: 'HIPAA Vault', sku: 'CMP-HIPAA', family: 'Compliance', price: 15_000 },
  { key: 'prod-sox', name: 'SOX Controls', sku: 'CMP-SOX', family: 'Compliance', price: 12_000 },
];

export const INDUSTRIES = [
  'Software',
  'Manufacturing',
  'Healthcare',
  'Financial Services',
  'Retail',
  'Logistics',
  'Education',
  'Media',
] as const;
export type Industry = (typeof INDUSTRIES)[number];

/** words that end a company name, per industry */
export const INDUSTRY_SUFFIXES: Record<Industry, readonly string[]> = {
  Software: ['Software', 'Labs', 'Systems', 'Digital', 'Cloud'],
  Manufacturing: ['Manufacturing', 'Industries', 'Works', 'Fabrication', 'Components'],
  Healthcare: ['Health', 'Medical', 'Clinics', 'Care', 'Biotech'],
  'Financial Services': ['Capital', 'Financial', 'Bank', 'Insurance', 'Partners'],
  Retail: ['Retail', 'Stores', 'Outfitters', 'Market', 'Goods'],
  Logistics: ['Logistics', 'Freight', 'Transport', 'Shipping', 'Cargo'],
  Education: ['Academy', 'Learning', 'University', 'Schools', 'Institute'],
  Media: ['Media', 'Studios', 'Publishing', 'Broadcasting', 'Press'],
};

/** revenue per employee (USD) by industry, roughly */
export const REVENUE_PER_EMPLOYEE: Record<Industry, number> = {
  Software: 250_000,
  Manufacturing: 300_000,
  Healthcare: 180_000,
  'Financial Services': 400_000,
  Retail: 200_000,
  Logistics: 220_000,
  Education: 90_000,
  Media: 210_000,
};

/** size bands: [min employees, max employees, share of accounts] */
export const SIZE_BANDS: readonly (readonly [number, number, number])[] = [
  [10, 49, 0.3],
  [50, 199, 0.35],
  [200, 999, 0.22],
  [1000, 4999, 0.1],
  [5000, 50000, 0.03],
];

export const NAME_PREFIXES = [
  'North', 'South', 'East', 'West', 'Blue', 'Red', 'Green', 'Silver', 'Gold', 'Iron', 'Stone', 'River',
  'Lake', 'Oak', 'Pine', 'Cedar', 'Maple', 'Summit', 'Peak', 'Bright', 'Clear', 'Swift', 'True', 'High',
  'Deep', 'Far', 'Wide', 'Star', 'Sun', 'Moon', 'Cloud', 'Storm', 'Frost', 'Ember', 'Copper', 'Cobalt',
  'Crimson', 'Amber', 'Jade', 'Ivory', 'Harbor', 'Bay', 'Cape', 'Ridge', 'Valley', 'Meadow', 'Prairie',
  'Desert', 'Canyon', 'Forest', 'Glen', 'Brook', 'Falcon', 'Eagle', 'Hawk', 'Raven', 'Wolf', 'Fox',
  'Bear', 'Lion', 'Tiger', 'Orca', 'Atlas', 'Apex', 'Vertex', 'Zenith', 'Nova', 'Polar', 'Arctic',
  'Quantum', 'Vector', 'Prime', 'Core', 'Metro', 'Urban', 'Grand', 'Royal', 'Noble', 'Bold', 'Keen',
  'Pioneer', 'Frontier', 'Liberty', 'Union', 'Beacon', 'Anchor', 'Compass', 'Harvest', 'Granite',
  'Marble', 'Slate', 'Willow', 'Birch', 'Aspen', 'Elm', 'Hazel', 'Rowan', 'Sterling', 'Onyx', 'Opal',
] as const;

export const NAME_ROOTS = [
  'wind', 'ridge', 'stone', 'field', 'gate', 'way', 'point', 'view', 'crest', 'bridge', 'port', 'haven',
  'wood', 'brook', 'light', 'line', 'mark', 'path', 'rock', 'shore', 'side', 'spring', 'star', 'vale',
  'well', 'works', 'forge', 'mill', 'land', 'bay', 'cliff', 'dale', 'fall', 'ford', 'grove', 'hill',
  'hurst', 'moor', 'mont', 'more', 'stead', 'ton', 'wick', 'worth', 'beam', 'bolt', 'core', 'craft',
  'dyne', 'flow', 'frame', 'grid', 'hub', 'loop', 'nexus', 'pulse', 'scape', 'sphere', 'tide', 'wave',
  'vista', 'lane', 'arch', 'tower', 'keep', 'yard', 'row', 'cross', 'peak', 'rise',
] as const;

export const FIRST_NAMES = [
  'Ava', 'Liam', 'Olivia', 'Noah', 'Emma', 'Oliver', 'Sophia', 'Elijah', 'Isabella', 'James', 'Mia',
  'Benjamin', 'Amelia', 'Lucas', 'Harper', 'Mason', 'Evelyn', 'Ethan', 'Abigail', 'Logan', 'Emily',
  'Jacob', 'Ella', 'Aiden', 'Chloe', 'Daniel', 'Grace', 'Henry', 'Lily', 'Jackson', 'Aria', 'Samuel',
  'Zoe', 'Sebastian', 'Nora', 'David', 'Hannah', 'Carter', 'Layla', 'Wyatt', 'Riley', 'Owen', 'Leah',
  'Julian', 'Maya', 'Isaac', 'Priya', 'Ravi', 'Mei', 'Kenji', 'Yuki', 'Omar', 'Fatima', 'Diego',
  'Lucia', 'Mateo', 'Sofia', 'Andre', 'Nadia', 'Tomas', 'Ingrid', 'Lars', 'Anika', 'Kwame', 'Amara',
  'Dana', 'Morgan', 'Jordan', 'Casey', 'Taylor',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green',
  'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Patel',
  'Shah', 'Kim', 'Chen', 'Wang', 'Singh', 'Okafor', 'Mensah', 'Larsen', 'Novak', 'Kowalski', 'Rossi',
  'Dubois', 'Muller', 'Tanaka', 'Sato', 'Silva', 'Costa', 'Murphy', 'Kelly',
] as const;

/** titles of decision makers (VP, Director, C-level): the contacts a churn score cares about */
export const DECISION_MAKER_TITLES = [
  'CEO', 'CFO', 'CTO', 'COO', 'CIO', 'VP of Sales', 'VP of Operations', 'VP of Engineering',
  'VP of Finance', 'Director of IT', 'Director of Operations', 'Director of Sales Operations',
  'Head of Procurement',
] as const;

export const OTHER_TITLES = [
  'Sales Manager', 'IT Manager', 'Operations Manager', 'Business Analyst', 'Systems Administrator',
  'Account Coordinator', 'Procurement Specialist', 'Software Engineer', 'Data Analyst', 'Office Manager',
] as const;

const DECISION_MAKER_SET = new Set<string>(DECISION_MAKER_TITLES);
export function isDecisionMakerTitle(title: string): boolean {
  return DECISION_MAKER_SET.has(title);
}

export const TEAM_NAMES = ['Enterprise', 'Mid-Market East', 'Mid-Market West', 'Commercial', 'Strategic Accounts', 'Growth'] as const;

/** [subject, body] of ordinary activities, per type */
export const ACTIVITY_TEXT: Record<SeedActivityType, readonly (readonly [string, string])[]> = {
  call: [
    ['Check-in call', 'Quarterly check-in. Team is happy with the rollout; asked about new dashboards.'],
    ['Call: renewal planning', 'Walked through renewal timeline and seat counts for next year.'],
    ['Discovery call', 'Mapped current process, pain points and decision makers.'],
    ['Follow-up call', 'Answered open questions from the last meeting; next step agreed.'],
    ['Call: usage review', 'Reviewed adoption numbers with the admin; two teams not onboarded yet.'],
  ],
  email: [
    ['Re: proposal', 'Thanks for the proposal, we will review it internally this week.'],
    ['Onboarding next steps', 'Sharing the onboarding checklist and training slots.'],
    ['Re: invoice question', 'Clarified the billing period and the seat true-up.'],
    ['Product update', 'Highlights of the new release and what it means for your team.'],
    ['Re: meeting notes', 'Summary of our meeting and the agreed action items.'],
  ],
  meeting: [
    ['Quarterly business review', 'QBR: goals for next quarter, adoption, open issues.'],
    ['Product demo', 'Demo of analytics and workflow features for the operations team.'],
    ['Executive sync', 'Alignment with the sponsor on priorities and budget.'],
    ['Implementation workshop', 'Workshop with IT on SSO and data integration.'],
  ],
  task: [
    ['Send renewal quote', 'Prepare and send the renewal quote.'],
    ['Follow up on proposal', 'Follow up with the buyer on the proposal.'],
    ['Schedule QBR', 'Find a date for the quarterly business review.'],
    ['Update account plan', 'Refresh the account plan with new contacts.'],
  ],
  note: [
    ['Account note', 'Champion is positive; expansion possible in the analytics team.'],
    ['Meeting note', 'Budget approved for next fiscal year; procurement involved.'],
    ['Note: stakeholder map', 'New stakeholder in finance; wants ROI figures.'],
    ['Account note', 'Adoption steady across teams; no open issues.'],
  ],
};

/** [subject, body] templates that name a competitor; `{c}` is replaced by the competitor's name */
const COMPETITOR_TEXT_TEMPLATES = {
  email: [
    ['Re: pricing comparison', 'They sent us a quote from {c} that is 30% cheaper. Can you match it?'],
    ['Re: contract renewal', 'We are evaluating {c} before we decide on the renewal.'],
  ],
  note: [
    ['Competitive note', 'Customer is running a pilot with {c}; sponsor seems convinced.'],
    ['Risk note', 'Procurement asked for a side-by-side with {c} before renewal.'],
    ['Call note', 'Admin mentioned {c} offered free migration support.'],
  ],
} as const;

/** competitor texts, built once so a million activities share them */
export const COMPETITOR_TEXT: Record<'email' | 'note', readonly (readonly [string, string])[]> = {
  email: COMPETITORS.flatMap((c) => COMPETITOR_TEXT_TEMPLATES.email.map(([s, b]) => [s, b.replace('{c}', c)] as const)),
  note: COMPETITORS.flatMap((c) => COMPETITOR_TEXT_TEMPLATES.note.map(([s, b]) => [s, b.replace('{c}', c)] as const)),
};

export const TICKET_SUBJECTS = [
  'Cannot log in with SSO',
  'Dashboard loads slowly',
  'Data sync failing since update',
  'Export to CSV missing columns',
  'API returns 500 errors',
  'Billing discrepancy on invoice',
  'Request: add new user seats',
  'Workflow stopped triggering',
  'Report numbers do not match',
  'Outage: application unavailable',
  'Password reset email not received',
  'Integration token expired',
] as const;
