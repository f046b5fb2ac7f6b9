import { durationParameter, type Catalogue } from '../catalogue/catalogue.ts'

/**
 * How often an obligation recurs: a catalogue parameter (the guidance's own number), Assure's default where the
 * guidance says only "regular(ly)", or once per event (a DPIA, opened when a service starts or changes phase).
 */
export type ObligationInterval =
  { readonly parameter: string } | { readonly assureDefault: string; readonly why: string } | 'per-event'

/** One kind of obligation the Authority can track, as data. */
export interface ObligationKind {
  readonly id: string
  readonly title: string
  /** The catalogue requirement it puts into practice. */
  readonly requirement: string
  readonly interval: ObligationInterval
  /** What the supplier is asked for as evidence, shown on the completion form. */
  readonly evidenceHint: string
}

/*
 * The guidance gives no number for data mapping ("Schedule and run regular data mapping exercises") nor for testing
 * the incident response plan (MCSS RESPOND: "regular testing of the incident response & management plan"). Adding
 * catalogue parameters for them would change the built-in catalogue's content under its published version 1.0.0
 * (the store refuses that, and many tests name the version), so until a catalogue release adds them these are
 * Assure's defaults, kept here by name: once a year, as the guidance asks of the other periodic control reviews.
 */
/** Assure's default for the guidance's "regular data mapping exercises": yearly. */
export const DATA_MAPPING_INTERVAL = 'P12M'
/** Assure's default for the guidance's "regular testing of the incident response & management plan": yearly. */
export const INCIDENT_RESPONSE_TEST_INTERVAL = 'P12M'

/** Every obligation kind, in the order the pages list them. */
export const OBLIGATION_KINDS: readonly ObligationKind[] = [
  {
    // Guidance, Privileged account management: "ownership and use of privileged accounts must be monitored and
    // audited on a monthly basis".
    id: 'privileged-account-audit',
    title: 'Audit the ownership and use of privileged accounts',
    requirement: 'PAM-02',
    interval: { parameter: 'privileged-account-audit-interval' },
    evidenceHint: 'Say which privileged accounts were reviewed, who owns each, and what was changed or removed.',
  },
  {
    // Guidance, Technical security controls: "Test backup solutions at least every three months".
    id: 'backup-restore-test',
    title: 'Test restoring from backup',
    requirement: 'TSC-L1-12',
    interval: { parameter: 'backup-test-interval' },
    evidenceHint: 'Say what was restored, from which backup, and whether the restored data was complete and intact.',
  },
  {
    // Guidance, Security Aspects Letters: controls "periodically reviewed (no less than 12 month intervals)".
    id: 'control-review',
    title: 'Review the IT technical controls',
    requirement: 'SAL-20',
    interval: { parameter: 'control-review-interval' },
    evidenceHint: 'Say which controls were reviewed and what was re-aligned as a result.',
  },
  {
    // Guidance, Data security and privacy: "A Data Protection Impact Assessment ... is required for all projects".
    id: 'dpia',
    title: 'Carry out or update the Data Protection Impact Assessment',
    requirement: 'DSP-11',
    interval: 'per-event',
    evidenceHint: 'Link to the DPIA or give its document reference and version.',
  },
  {
    // Guidance, Data security and privacy, Post-Live: "Schedule and run regular data mapping exercises".
    id: 'data-mapping',
    title: 'Run a data mapping exercise',
    requirement: 'DSP-27',
    interval: { assureDefault: DATA_MAPPING_INTERVAL, why: 'the guidance says “regular”' },
    evidenceHint: 'Say which data flows to and from other organisations and systems were mapped.',
  },
  {
    // Guidance, MCSS RESPOND: "regular testing of the incident response & management plan".
    id: 'incident-response-plan-test',
    title: 'Test the incident response and management plan',
    requirement: 'MCSS-15',
    interval: { assureDefault: INCIDENT_RESPONSE_TEST_INTERVAL, why: 'the guidance says “regular”' },
    evidenceHint: 'Say how the plan was tested (a desk exercise, say), who took part and what was learned.',
  },
]

/** The kinds the Authority starts schedules for: those that recur. */
export const RECURRING_KINDS = OBLIGATION_KINDS.filter(kind => kind.interval !== 'per-event')

/** A kind by ID, or undefined. */
export function obligationKind(id: string): ObligationKind | undefined {
  return OBLIGATION_KINDS.find(kind => kind.id === id)
}

/** How long after one due date the next falls, from the catalogue (or Assure's named default); null once per event. */
export function intervalOf(kind: ObligationKind, catalogue: Catalogue): string | null {
  if (kind.interval === 'per-event') return null
  if ('parameter' in kind.interval) return durationParameter(catalogue, kind.interval.parameter)
  return kind.interval.assureDefault
}

/**
 * How long a supplier has to carry out or update a DPIA once a service starts or changes phase. The guidance asks
 * for one per project and before live data is processed, but gives no period: this is Assure's default.
 */
export const DPIA_PERIOD = 'P30D'
