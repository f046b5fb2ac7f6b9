import type { CloudAccountsTable, ContractsTable } from '../platform/db/schema.ts'
import { DATA_CATEGORIES, type DataCategory } from './forms.ts'
import type { SupplierRow } from './store.ts'

/** How each data category reads. */
export const DATA_CATEGORY_LABELS: Record<DataCategory, string> = {
  personal: 'Personal data',
  'special-category': 'Special category data',
  'criminal-offence': 'Criminal offence data',
}

const list = (json: string): string[] => {
  const value: unknown = JSON.parse(json)
  return Array.isArray(value) ? value.map(String) : []
}

/** A contract as the pages and the API show it. */
export function presentContract(row: ContractsTable) {
  const categories = list(row.data_categories).filter((c): c is DataCategory =>
    (DATA_CATEGORIES as readonly string[]).includes(c),
  )
  return {
    id: row.id,
    reference: row.reference,
    title: row.title,
    startDate: row.start_date,
    endDate: row.end_date,
    classification: row.classification,
    dataCategories: categories,
    dataCategoryLabels: categories.length === 0 ? ['None'] : categories.map(c => DATA_CATEGORY_LABELS[c]),
    offshore: row.offshore === 1,
    offshoreLocations: row.offshore_locations,
    keyServices: row.key_services,
    subcontractors: list(row.subcontractors),
  }
}

/** A cloud account as the pages and the API show it. */
export function presentCloudAccount(row: CloudAccountsTable, contracts: readonly ContractsTable[]) {
  return {
    id: row.id,
    provider: row.provider,
    accountId: row.account_id,
    description: row.description,
    contractId: row.contract_id,
    contractReference: contracts.find(c => c.id === row.contract_id)?.reference ?? null,
  }
}

/** A supplier's register entry: its profile (null until one is recorded), contracts and cloud accounts. */
export function presentSupplier(
  supplier: SupplierRow,
  contracts: readonly ContractsTable[],
  accounts: readonly CloudAccountsTable[],
) {
  const { profile } = supplier
  return {
    id: supplier.id,
    name: supplier.name,
    profile:
      profile === null
        ? null
        : {
            legalName: profile.legal_name,
            shortName: profile.short_name,
            securityDirector: { name: profile.security_director_name, email: profile.security_director_email },
            contacts: (JSON.parse(profile.contacts) as Array<{ role: string; name: string; email: string }>).map(c => ({
              role: c.role,
              name: c.name,
              email: c.email,
            })),
            updatedAt: profile.updated_at,
          },
    contracts: contracts.map(presentContract),
    cloudAccounts: accounts.map(a => presentCloudAccount(a, contracts)),
  }
}

/** The contract form's values for an existing contract, as the form fields name them. */
export function contractFormValues(row: ContractsTable): Record<string, string | string[]> {
  const contract = presentContract(row)
  const [startYear = '', startMonth = '', startDay = ''] = contract.startDate.split('-')
  const [endYear = '', endMonth = '', endDay = ''] = contract.endDate.split('-')
  return {
    reference: contract.reference,
    title: contract.title,
    'startDate-day': String(Number(startDay)),
    'startDate-month': String(Number(startMonth)),
    'startDate-year': startYear,
    'endDate-day': String(Number(endDay)),
    'endDate-month': String(Number(endMonth)),
    'endDate-year': endYear,
    classification: contract.classification,
    dataCategories: contract.dataCategories.length === 0 ? ['none'] : [...contract.dataCategories],
    offshore: contract.offshore ? 'yes' : 'no',
    offshoreLocations: contract.offshoreLocations ?? '',
    keyServices: contract.keyServices,
    subcontractors: contract.subcontractors.join('\n'),
  }
}
