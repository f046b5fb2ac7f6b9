/**
 * The guidance's "Data Security & Privacy Lifecycle Expectations" (Data security and privacy), as data: the phases a
 * service moves through and what is expected in each, as checklist items the supplier ticks. Items carry the
 * catalogue requirement they come from; the Live phase's expectations are not catalogue requirements (the guidance
 * states them as things that may still be in progress), so their items are Assure's own, quoting the guidance.
 */

/** The lifecycle phases, in order. The guidance groups Pre-Discovery with Discovery. */
export const PHASES = ['discovery', 'alpha', 'beta', 'live', 'post-live'] as const
export type Phase = (typeof PHASES)[number]

/** A phase's name as the guidance heads it. */
export const PHASE_NAMES: Record<Phase, string> = {
  discovery: 'Discovery',
  alpha: 'Alpha',
  beta: 'Beta',
  live: 'Live',
  'post-live': 'Post-live',
}

/** One expectation of a phase. */
export interface ChecklistItem {
  readonly id: string
  readonly text: string
  /** The catalogue requirement it comes from, when there is one. */
  readonly requirement: string | null
}

/** What the guidance expects in each phase. */
export const CHECKLISTS: Record<Phase, readonly ChecklistItem[]> = {
  // Guidance, Pre-Discovery and Discovery.
  discovery: [
    {
      id: 'DSP-12',
      text: 'The data security and privacy implications of the project requirements have been assessed',
      requirement: 'DSP-12',
    },
    {
      id: 'DSP-13',
      text: 'How data security and privacy might affect functionality and delivery is being considered from the start',
      requirement: 'DSP-13',
    },
    { id: 'DSP-14', text: 'Technical architects have been consulted', requirement: 'DSP-14' },
    {
      id: 'DSP-15',
      text: 'Problems or ramifications have been discussed with legal or business experts',
      requirement: 'DSP-15',
    },
    {
      id: 'DSP-16',
      text: 'Areas where privacy compliance might cause issues for functionality have been identified',
      requirement: 'DSP-16',
    },
  ],
  // Guidance, Alpha: service assessments check for aspects of GDPR/DPA18 compliance.
  alpha: [
    { id: 'DSP-17', text: 'The majority of compliance considerations have been addressed', requirement: 'DSP-17' },
    { id: 'DSP-18', text: 'The development team can say how their work ensures compliance', requirement: 'DSP-18' },
    {
      id: 'DSP-19',
      text: 'The technical architecture choices can be tested against data security and privacy requirements',
      requirement: 'DSP-19',
    },
  ],
  // Guidance, Beta (Private and Public).
  beta: [
    { id: 'DSP-20', text: 'Live systems are used for the assessments', requirement: 'DSP-20' },
    {
      id: 'DSP-21',
      text: 'All manually actionable data security and privacy requirements are met',
      requirement: 'DSP-21',
    },
    { id: 'DSP-22', text: 'Manual testing has been done', requirement: 'DSP-22' },
    { id: 'DSP-23', text: 'Plans and mechanisms for automatic deletion are in place', requirement: 'DSP-23' },
    { id: 'DSP-24', text: 'Data is backed up exactly as expected for a live service', requirement: 'DSP-24' },
  ],
  // Guidance, Live: "Data sharing aspects might not yet be fully defined"; "Some aspects of reporting might still
  // need manual action".
  live: [
    {
      id: 'live-data-sharing',
      text: 'Data sharing aspects not yet fully defined, and systems not yet depending on the data, are recorded',
      requirement: null,
    },
    {
      id: 'live-manual-reporting',
      text: 'Reporting that still needs manual action, and the business MI still in progress, is recorded',
      requirement: null,
    },
  ],
  // Guidance, Post-Live (Ongoing).
  'post-live': [
    {
      id: 'DSP-25',
      text: 'The final automated tasks are ready (the project cannot close until they are done)',
      requirement: 'DSP-25',
    },
    { id: 'DSP-27', text: 'Data security and privacy compliance checks are ongoing', requirement: 'DSP-27' },
    {
      id: 'DSP-28',
      text: 'Reporting to internal stakeholders or the ICO takes place as required',
      requirement: 'DSP-28',
    },
    {
      id: 'post-live-data-mapping',
      text: 'Regular data mapping exercises are scheduled and run',
      requirement: null,
    },
  ],
}

/** Whether a string names a phase. */
export const isPhase = (value: string): value is Phase => (PHASES as readonly string[]).includes(value)
