import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { ContractsTable, Database, SupplierProfilesTable } from '../../src/platform/db/schema.ts'

/** Factories for a supplier's register entries, so a test states only the fields it cares about. */

/** Stores a supplier's profile: Contoso's, unless told otherwise. */
export async function buildSupplierProfile(
  db: Kysely<Database>,
  organisationId: string,
  overrides: Partial<Omit<SupplierProfilesTable, 'organisation_id'>> = {},
): Promise<void> {
  await db
    .insertInto('supplier_profiles')
    .values({
      organisation_id: organisationId,
      legal_name: 'Contoso Secure Services Group plc',
      short_name: 'Contoso',
      security_director_name: 'Dana Reyes',
      security_director_email: 'dana.reyes@contoso.example',
      contacts: '[]',
      updated_at: new Date().toISOString(),
      updated_by: null,
      ...overrides,
    })
    .execute()
}

/** Stores one of a supplier's contracts and returns its ID. */
export async function buildContract(
  db: Kysely<Database>,
  organisationId: string,
  overrides: Partial<Omit<ContractsTable, 'organisation_id'>> = {},
): Promise<string> {
  const id = overrides.id ?? randomUUID()
  await db
    .insertInto('contracts')
    .values({
      organisation_id: organisationId,
      reference: 'MOJ/2026-014',
      title: 'Case management hosting',
      start_date: '2026-04-01',
      end_date: '2028-03-31',
      classification: 'OFFICIAL-SENSITIVE',
      data_categories: '["personal"]',
      offshore: 0,
      offshore_locations: null,
      key_services: 'Hosting and support',
      subcontractors: '[]',
      created_at: new Date().toISOString(),
      created_by: null,
      ...overrides,
      id,
    })
    .execute()
  return id
}
