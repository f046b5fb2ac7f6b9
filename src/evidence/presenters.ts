import { paths } from '../paths.ts'
import { displayMarking } from '../platform/marking.ts'
import { describeBytes, EXPIRY_WARNING_DAYS, freshness, type Freshness } from './evidence.ts'
import type { EvidenceRow } from './store.ts'

const FRESHNESS_LABELS: Record<Freshness, string> = {
  current: 'Current',
  expiring: `Expires within ${EXPIRY_WARNING_DAYS} days`,
  expired: 'Expired',
}

const FRESHNESS_TAGS: Record<Freshness, string> = {
  current: 'govuk-tag--green',
  expiring: 'govuk-tag--yellow',
  expired: 'govuk-tag--red',
}

/** One evidence item for a page, with its freshness on `today` (YYYY-MM-DD). */
export function presentEvidence(item: EvidenceRow, today: string) {
  const state = freshness(item.expires_on, today)
  return {
    id: item.id,
    kind: item.kind,
    name: item.kind === 'file' ? (item.file_name ?? 'Evidence file') : (item.url ?? ''),
    url: item.url,
    downloadPath: item.kind === 'file' ? paths.evidence.download(item.id) : null,
    removePath: paths.evidence.remove(item.id),
    size: item.size_bytes === null ? null : describeBytes(item.size_bytes),
    mediaType: item.media_type,
    sha256: item.sha256,
    // In 16-character runs, so a page can let the 64-character hash wrap (with <wbr>) without changing it.
    sha256Runs: item.sha256?.match(/.{1,16}/g) ?? [],
    effectiveOn: item.effective_on,
    expiresOn: item.expires_on,
    marking: displayMarking({ marking: item.marking, legacy: item.legacy_marking }),
    handlingInstructions: item.handling_instructions,
    // Guidance, Legacy Material: legacy material "should be reviewed as to whether the information within requires
    // handling caveat markings and/or particular handling guidance before being re-marked as OFFICIAL".
    needsMarkingReview: item.legacy_marking !== null,
    freshness: state,
    freshnessLabel: FRESHNESS_LABELS[state],
    freshnessTag: FRESHNESS_TAGS[state],
    stale: state !== 'current',
  }
}

/** An answer's evidence for a page: each item, and how many are stale (expired or expiring soon). */
export function presentEvidenceList(items: readonly EvidenceRow[], today: string) {
  const presented = items.map(item => presentEvidence(item, today))
  return {
    items: presented,
    stale: presented.filter(item => item.stale).length,
    warningDays: EXPIRY_WARNING_DAYS,
  }
}
