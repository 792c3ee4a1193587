/**
 * Pipelines and stages. Deals get HubSpot's default sales pipeline (stage metadata `probability`
 * and `isClosed` are strings, as in the real API); tickets the default support pipeline.
 */
export interface PipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  metadata: Record<string, string>;
  archived: boolean;
  writePermissions: string;
  createdAt: string;
  updatedAt: string;
}

export interface Pipeline {
  id: string;
  label: string;
  displayOrder: number;
  archived: boolean;
  stages: PipelineStage[];
  createdAt: string;
  updatedAt: string;
}

/** [id, label, probability, isClosed] */
const dealStages: [string, string, string, boolean][] = [
  ['appointmentscheduled', 'Appointment Scheduled', '0.2', false],
  ['qualifiedtobuy', 'Qualified To Buy', '0.4', false],
  ['presentationscheduled', 'Presentation Scheduled', '0.6', false],
  ['decisionmakerboughtin', 'Decision Maker Bought-In', '0.8', false],
  ['contractsent', 'Contract Sent', '0.9', false],
  ['closedwon', 'Closed Won', '1.0', true],
  ['closedlost', 'Closed Lost', '0.0', true],
];

/** [id, label, ticketState] */
const ticketStages: [string, string, string][] = [
  ['1', 'New', 'OPEN'],
  ['2', 'Waiting on contact', 'OPEN'],
  ['3', 'Waiting on us', 'OPEN'],
  ['4', 'Closed', 'CLOSED'],
];

function stage(id: string, label: string, i: number, metadata: Record<string, string>, at: string): PipelineStage {
  return { id, label, displayOrder: i, metadata, archived: false, writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT', createdAt: at, updatedAt: at };
}

export function defaultPipelines(createdAt: string): Map<string, Pipeline[]> {
  const deals: Pipeline = {
    id: 'default', label: 'Sales Pipeline', displayOrder: 0, archived: false, createdAt, updatedAt: createdAt,
    stages: dealStages.map(([id, label, probability, isClosed], i) =>
      stage(id, label, i, { isClosed: String(isClosed), probability }, createdAt)),
  };
  const tickets: Pipeline = {
    id: '0', label: 'Support Pipeline', displayOrder: 0, archived: false, createdAt, updatedAt: createdAt,
    stages: ticketStages.map(([id, label, ticketState], i) => stage(id, label, i, { ticketState, isClosed: String(ticketState === 'CLOSED') }, createdAt)),
  };
  return new Map([['deals', [deals]], ['tickets', [tickets]]]);
}

/** Stage lookup for derived deal properties (probability, closed, won). */
export function findStage(pipelines: Pipeline[] | undefined, stageId: string): PipelineStage | undefined {
  for (const p of pipelines ?? []) {
    const s = p.stages.find((st) => st.id === stageId);
    if (s) return s;
  }
  return undefined;
}
