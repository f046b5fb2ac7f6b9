/** A path with its non-empty query parameters, in the order given. */
const withQuery = (base: string, query?: Record<string, string | undefined>) => {
  const search = new URLSearchParams(
    Object.entries(query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''),
  ).toString()
  return search === '' ? base : `${base}?${search}`
}

/** Every URL path Assure serves, in one place, used by routes, redirects and templates. */
export const paths = {
  home: '/',
  healthz: '/healthz',
  readyz: '/readyz',
  assets: '/assets/',
  catalogueShortcut: '/catalogue',
  setup: (token: string) => `/setup/${encodeURIComponent(token)}`,
  signIn: '/sign-in',
  signOut: '/sign-out',
  verify: '/sign-in/verify',
  verifyTotp: '/sign-in/verify/app',
  verifyRecovery: '/sign-in/verify/recovery-code',
  verifyKeyOptions: '/sign-in/verify/security-key/options',
  verifyKey: '/sign-in/verify/security-key',
  enrol: '/account/second-factor',
  enrolKeyOptions: '/account/security-keys/options',
  enrolKey: '/account/security-keys',
  enrolTotp: '/account/authenticator-app',
  recoveryCodes: '/account/recovery-codes',
  account: '/account',
  confirm: '/account/confirm',
  apiTokens: '/account/api-tokens',
  keepAlive: '/account/keep-alive',
  confirmTotp: '/account/confirm/app',
  confirmKeyOptions: '/account/confirm/security-key/options',
  confirmKey: '/account/confirm/security-key',
  invitation: (token: string) => `/invitation/${encodeURIComponent(token)}`,
  admin: {
    people: '/admin/people',
    invite: '/admin/people/invite',
    person: (id: string) => `/admin/people/${encodeURIComponent(id)}`,
    personAction: (id: string, action: 'roles' | 'suspend' | 'reactivate' | 'disconnect' | 'unlock') =>
      `/admin/people/${encodeURIComponent(id)}/${action}`,
    personEmail: (id: string) => `/admin/people/${encodeURIComponent(id)}/email`,
    personOrganisation: (id: string) => `/admin/people/${encodeURIComponent(id)}/organisation`,
    securitySettings: '/admin/security-settings',
    organisations: '/admin/organisations',
    approvals: '/admin/approvals',
    reviews: '/admin/privileged-reviews',
    review: (id: string) => `/admin/privileged-reviews/${encodeURIComponent(id)}`,
    decide: (id: string, decision: 'approve' | 'reject') => `/admin/approvals/${encodeURIComponent(id)}/${decision}`,
  },
  audit: {
    ledger: '/audit',
    search: (query?: Record<string, string | undefined>) => withQuery('/audit', query),
    entry: (sequence: number | string) => `/audit/entries/${encodeURIComponent(String(sequence))}`,
    exportCsv: '/audit/export.csv',
    exportSearch: (query?: Record<string, string | undefined>) => withQuery('/audit/export.csv', query),
    verify: '/audit/verify',
  },
  endSession: (id: string) => `/account/sessions/${encodeURIComponent(id)}/end`,
  catalogues: '/catalogues',
  notifications: {
    list: '/notifications',
    read: (id: string) => `/notifications/${encodeURIComponent(id)}/read`,
    readAll: '/notifications/read-all',
  },
  dashboard: {
    home: '/dashboard',
    search: (query?: Record<string, string | undefined>) => withQuery('/dashboard', query),
    toDo: '/dashboard/to-do',
  },
  incidents: {
    list: '/incidents',
    report: '/incidents/new',
    incident: (id: string) => `/incidents/${encodeURIComponent(id)}`,
    update: (id: string) => `/incidents/${encodeURIComponent(id)}/updates`,
    close: (id: string) => `/incidents/${encodeURIComponent(id)}/close`,
  },
  suppliers: {
    list: '/suppliers',
    supplier: (id: string) => `/suppliers/${encodeURIComponent(id)}`,
    profile: (id: string) => `/suppliers/${encodeURIComponent(id)}/profile`,
    newContract: (id: string) => `/suppliers/${encodeURIComponent(id)}/contracts/new`,
    contract: (id: string, contractId: string) =>
      `/suppliers/${encodeURIComponent(id)}/contracts/${encodeURIComponent(contractId)}`,
    newCloudAccount: (id: string) => `/suppliers/${encodeURIComponent(id)}/cloud-accounts/new`,
    letters: (id: string) => `/suppliers/${encodeURIComponent(id)}/letters`,
    newLetter: (id: string) => `/suppliers/${encodeURIComponent(id)}/letters/new`,
    letter: (id: string, letterId: string) =>
      `/suppliers/${encodeURIComponent(id)}/letters/${encodeURIComponent(letterId)}`,
    letterAction: (id: string, letterId: string, action: 'revise' | 'acknowledge' | 'confirm' | 'subcontractors') =>
      `/suppliers/${encodeURIComponent(id)}/letters/${encodeURIComponent(letterId)}/${action}`,
    letterPdf: (id: string, letterId: string) =>
      `/suppliers/${encodeURIComponent(id)}/letters/${encodeURIComponent(letterId)}/pdf`,
    declarationPdf: (id: string, letterId: string) =>
      `/suppliers/${encodeURIComponent(id)}/letters/${encodeURIComponent(letterId)}/declaration.pdf`,
  },
  destruction: {
    list: (id: string) => `/suppliers/${encodeURIComponent(id)}/destruction`,
    issue: (id: string) => `/suppliers/${encodeURIComponent(id)}/destruction/new`,
    instruction: (id: string, instructionId: string) =>
      `/suppliers/${encodeURIComponent(id)}/destruction/${encodeURIComponent(instructionId)}`,
    action: (
      id: string,
      instructionId: string,
      action: 'declaration' | 'data-return' | 'failed-destruction' | 'certificate.pdf',
    ) => `/suppliers/${encodeURIComponent(id)}/destruction/${encodeURIComponent(instructionId)}/${action}`,
    completeStage: (id: string, instructionId: string, stageKey: string) =>
      `/suppliers/${encodeURIComponent(id)}/destruction/${encodeURIComponent(instructionId)}/stages/${encodeURIComponent(stageKey)}/complete`,
  },
  assessments: {
    list: (supplierId: string) => `/suppliers/${encodeURIComponent(supplierId)}/assessments`,
    open: (supplierId: string) => `/suppliers/${encodeURIComponent(supplierId)}/assessments/new`,
    assessment: (id: string) => `/assessments/${encodeURIComponent(id)}`,
    answer: (id: string, requirementId: string) =>
      `/assessments/${encodeURIComponent(id)}/requirements/${encodeURIComponent(requirementId)}`,
    review: (id: string, requirementId: string) =>
      `/assessments/${encodeURIComponent(id)}/requirements/${encodeURIComponent(requirementId)}/review`,
    submit: (id: string) => `/assessments/${encodeURIComponent(id)}/submit`,
    return: (id: string) => `/assessments/${encodeURIComponent(id)}/return`,
    close: (id: string) => `/assessments/${encodeURIComponent(id)}/close`,
    proposeRisk: (id: string, requirementId: string) =>
      `/assessments/${encodeURIComponent(id)}/requirements/${encodeURIComponent(requirementId)}/risk`,
    assessmentResults: (id: string) => `/assessments/${encodeURIComponent(id)}/oscal/assessment-results.json`,
    poam: (id: string) => `/assessments/${encodeURIComponent(id)}/oscal/poam.json`,
    answersCsv: (id: string) => `/assessments/${encodeURIComponent(id)}/answers.csv`,
    addEvidence: (id: string, requirementId: string) =>
      `/assessments/${encodeURIComponent(id)}/requirements/${encodeURIComponent(requirementId)}/evidence`,
    importEvidence: (id: string) => `/assessments/${encodeURIComponent(id)}/evidence/import`,
    summaryPdf: (supplierId: string, id: string) =>
      `/suppliers/${encodeURIComponent(supplierId)}/assessments/${encodeURIComponent(id)}/summary.pdf`,
  },
  personnel: {
    supplier: (supplierId: string) => `/suppliers/${encodeURIComponent(supplierId)}/personnel`,
    requirement: (supplierId: string) => `/suppliers/${encodeURIComponent(supplierId)}/personnel/requirements`,
    withdraw: (supplierId: string, attestationId: string) =>
      `/suppliers/${encodeURIComponent(supplierId)}/personnel/${encodeURIComponent(attestationId)}/withdraw`,
    checks: '/personnel/clearance-checks',
    newCheck: '/personnel/clearance-checks/new',
    check: (id: string) => `/personnel/clearance-checks/${encodeURIComponent(id)}`,
    answer: (id: string) => `/personnel/clearance-checks/${encodeURIComponent(id)}/answer`,
  },
  obligations: {
    list: (supplierId: string) => `/suppliers/${encodeURIComponent(supplierId)}/obligations`,
    start: (supplierId: string) => `/suppliers/${encodeURIComponent(supplierId)}/obligations/new`,
    instance: (supplierId: string, instanceId: string, action: 'complete' | 'review') =>
      `/suppliers/${encodeURIComponent(supplierId)}/obligations/${encodeURIComponent(instanceId)}/${action}`,
    privacy: (supplierId: string) => `/suppliers/${encodeURIComponent(supplierId)}/privacy`,
    addService: (supplierId: string) => `/suppliers/${encodeURIComponent(supplierId)}/privacy/new`,
    service: (supplierId: string, serviceId: string, action: 'checklist' | 'phase') =>
      `/suppliers/${encodeURIComponent(supplierId)}/privacy/${encodeURIComponent(serviceId)}/${action}`,
  },
  baseline: {
    list: '/baseline',
    search: (query?: Record<string, string | undefined>) => withQuery('/baseline', query),
    supplier: (supplierId: string) => `/suppliers/${encodeURIComponent(supplierId)}/baseline`,
    account: (supplierId: string, accountId: string) =>
      `/suppliers/${encodeURIComponent(supplierId)}/baseline/${encodeURIComponent(accountId)}`,
  },
  evidence: {
    download: (id: string) => `/evidence/${encodeURIComponent(id)}/download`,
    remove: (id: string) => `/evidence/${encodeURIComponent(id)}/remove`,
  },
  risks: {
    register: '/risks',
    supplier: (supplierId: string) => `/suppliers/${encodeURIComponent(supplierId)}/risks`,
    accept: (id: string) => `/risks/${encodeURIComponent(id)}/accept`,
  },
  catalogue: (ref: string) => `/catalogues/${encodeURIComponent(ref)}`,
  requirements: (ref: string, query?: Record<string, string | undefined>) => {
    const search = new URLSearchParams(
      Object.entries(query ?? {}).filter(
        (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
      ),
    ).toString()
    return `/catalogues/${encodeURIComponent(ref)}/requirements${search === '' ? '' : `?${search}`}`
  },
  requirement: (ref: string, id: string) =>
    `/catalogues/${encodeURIComponent(ref)}/requirements/${encodeURIComponent(id)}`,
  guidance: (ref: string) => `/catalogues/${encodeURIComponent(ref)}/guidance`,
  guidanceSection: (ref: string, slug: string) =>
    `/catalogues/${encodeURIComponent(ref)}/guidance/${encodeURIComponent(slug)}`,
  api: {
    openapi: '/api/v1/openapi.json',
    me: '/api/v1/me',
    people: '/api/v1/people',
    suppliers: '/api/v1/suppliers',
    supplier: (id: string) => `/api/v1/suppliers/${encodeURIComponent(id)}`,
    supplierObligations: (id: string) => `/api/v1/suppliers/${encodeURIComponent(id)}/obligations`,
    supplierBaseline: (id: string) => `/api/v1/suppliers/${encodeURIComponent(id)}/baseline`,
    catalogues: '/api/v1/catalogue',
    requirements: (ref: string) => `/api/v1/catalogue/${encodeURIComponent(ref)}/requirements`,
    requirement: (ref: string, id: string) =>
      `/api/v1/catalogue/${encodeURIComponent(ref)}/requirements/${encodeURIComponent(id)}`,
    oscal: (ref: string) => `/api/v1/catalogue/${encodeURIComponent(ref)}/oscal`,
  },
} as const
