import type { FastifyInstance } from 'fastify'
import type { Services } from '../services.ts'
import { paths } from '../paths.ts'
import { AssureError } from '../platform/errors.ts'
import { parseInput } from '../platform/validation.ts'
import { catalogueFromStore } from './from-store.ts'
import { exportOscalCatalog } from './oscal.ts'
import { findRequirement, listStoredCatalogues, readCatalogue, searchRequirements } from './operations.ts'
import { presentItemForApi } from './presenters.ts'
import { CatalogueRefSchema, ItemIdSchema, RequirementQuerySchema } from './queries.ts'
import type { StoredCatalogue } from './store.ts'
import { PERMISSIONS } from '../identity/policy.ts'

const DEFAULT_PAGE_SIZE = 50

const presentCatalogue = (catalogue: StoredCatalogue) => ({
  ref: catalogue.ref,
  framework: catalogue.framework,
  title: catalogue.title,
  version: catalogue.version,
  published: catalogue.published,
  kind: catalogue.kind,
  requirementCount: catalogue.itemCount,
  links: {
    requirements: paths.api.requirements(catalogue.ref),
    ...(catalogue.kind === 'builtin' ? { oscal: paths.api.oscal(catalogue.ref) } : {}),
    html: paths.catalogue(catalogue.ref),
  },
})

/** The read-only catalogue API (public until API tokens arrive with the identity work). */
export function registerCatalogueApi(app: FastifyInstance, services: Services): void {
  const deps = services.catalogueDeps
  const ref = (value: string) => parseInput(CatalogueRefSchema, value, 'catalogue reference')

  app.get(paths.api.catalogues, { config: { permission: PERMISSIONS.public } }, async () => ({
    catalogues: (await listStoredCatalogues(deps)).map(presentCatalogue),
  }))

  app.get<{ Params: { version: string }; Querystring: Record<string, unknown> }>(
    '/api/v1/catalogue/:version/requirements',
    { config: { permission: PERMISSIONS.public } },
    async request => {
      const query = parseInput(RequirementQuerySchema, request.query, 'query')
      const page = query.page ?? 1
      const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE
      const result = await searchRequirements(deps, {
        ref: ref(request.params.version),
        filter: {
          text: query.q,
          obligation: query.obligation,
          mcss: query.mcss,
          audience: query.audience,
          tag: query.tag,
          group: query.section,
        },
        page,
        pageSize,
      })
      const byId = new Map(result.groups.map(group => [group.id, group]))
      return {
        catalogue: presentCatalogue(result.catalogue),
        total: result.total,
        page,
        pageSize,
        items: result.items.map(item => {
          const group = byId.get(item.groupId)
          return presentItemForApi(result.catalogue, item, group === undefined ? [] : [group])
        }),
      }
    },
  )

  app.get<{ Params: { version: string; id: string } }>(
    '/api/v1/catalogue/:version/requirements/:id',
    { config: { permission: PERMISSIONS.public } },
    async request => {
      const id = parseInput(ItemIdSchema, request.params.id, 'requirement ID')
      const found = await findRequirement(deps, { ref: ref(request.params.version), id })
      return presentItemForApi(found.catalogue, found.item, found.groupPath)
    },
  )

  app.get<{ Params: { version: string } }>(
    '/api/v1/catalogue/:version/oscal',
    { config: { permission: PERMISSIONS.public } },
    async (request, reply) => {
      const { catalogue, groups, items } = await readCatalogue(deps, ref(request.params.version))
      if (catalogue.kind !== 'builtin') {
        throw new AssureError(
          'NOT_FOUND',
          `Catalogue ${catalogue.ref} was imported from OSCAL; export is offered for the built-in catalogue`,
        )
      }
      const rebuilt =
        catalogue.version === services.catalogue.version
          ? services.catalogue
          : catalogueFromStore(catalogue, groups, items, '')
      return reply.type('application/json').send(exportOscalCatalog(rebuilt, new Date(catalogue.storedAt)))
    },
  )
}
