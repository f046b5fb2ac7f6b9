import { listParameter, parameter, type Catalogue } from '../catalogue/catalogue.ts'

/** The level every person needs at the least. Guidance, Minimum user clearance requirements: BPSS as a minimum. */
export const MINIMUM_LEVEL = 'BPSS'

/**
 * The clearance levels, lowest first, from the catalogue: the national security vetting levels (`clearance-levels`:
 * BPSS, CTC, SC, DV) with the enhanced check (`clearance-enhanced-example`: eSC) placed just above the level it
 * enhances. Guidance, Security clearance levels: "Where appropriate, Enhanced checks apply".
 */
export function clearanceLevels(catalogue: Catalogue): readonly string[] {
  const levels = [...listParameter(catalogue, 'clearance-levels')]
  const enhanced = parameter(catalogue, 'clearance-enhanced-example')
  if (enhanced.type === 'text' && !levels.includes(enhanced.value)) {
    const base = levels.indexOf(enhanced.value.replace(/^e/, ''))
    levels.splice(base === -1 ? levels.length : base + 1, 0, enhanced.value)
  }
  return levels
}

/** Whether `held` meets `required` on the catalogue's ladder (unknown levels meet nothing). */
export function meetsLevel(levels: readonly string[], held: string, required: string): boolean {
  const heldAt = levels.indexOf(held)
  return heldAt !== -1 && heldAt >= levels.indexOf(required)
}
