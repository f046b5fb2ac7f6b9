import type { FastifyInstance } from 'fastify'
import type { Services } from '../services.ts'
import { paths } from '../paths.ts'
import { AssureError, notFound } from '../platform/errors.ts'
import { problemsFrom } from '../platform/validation.ts'
import {
  findRequirement,
  listStoredCatalogues,
  readCatalogue,
  searchRequirements,
  summariseCatalogue,
} from './operations.ts'
import { presentListItem, presentRequirementPage, obligationLabel, audienceFilterLabel } from './presenters.ts'
import { CatalogueRefSchema, ItemIdSchema, RequirementQuerySchema } from './queries.ts'
import { readingBlocks, sectionText, type Block } from './reading.ts'
import { AUDIENCES, MCSS_FUNCTIONS, OBLIGATIONS } from './schema.ts'
import { PERMISSIONS } from '../identity/policy.ts'

const PAGE_SIZE = 25

/** Path parameters that cannot name anything are answered as not found, never echoed into queries. */
function validRef(ref: string): string {
  if (!CatalogueRefSchema.safeParse(ref).success) throw notFound('The page')
  return ref
}

/** The catalogue's pages: home, search and filters, requirement pages and the guidance reading view. */
export function registerCatalogueRoutes(app: FastifyInstance, services: Services): void {
  const deps = services.catalogueDeps

  app.get(paths.catalogueShortcut, { config: { permission: PERMISSIONS.public } }, async (_request, reply) =>
    reply.redirect(paths.catalogue('latest')),
  )

  app.get(paths.catalogues, { config: { permission: PERMISSIONS.public } }, async (_request, reply) =>
    reply.page('catalogues.njk', { catalogues: await listStoredCatalogues(deps) }),
  )

  app.get<{ Params: { ref: string } }>(
    '/catalogues/:ref',
    { config: { permission: PERMISSIONS.public } },
    async (request, reply) => {
      const summary = await summariseCatalogue(deps, validRef(request.params.ref))
      return reply.page('catalogue.njk', {
        ...summary,
        topGroups: summary.groups.filter(group => group.parentId === null),
      })
    },
  )

  app.get<{ Params: { ref: string }; Querystring: Record<string, unknown> }>(
    '/catalogues/:ref/requirements',
    { config: { permission: PERMISSIONS.public } },
    async (request, reply) => {
      const ref = validRef(request.params.ref)
      const parsed = RequirementQuerySchema.safeParse(request.query)
      const query = parsed.success ? parsed.data : {}
      const page = query.page ?? 1
      const result = await searchRequirements(deps, {
        ref,
        filter: {
          text: query.q,
          obligation: query.obligation,
          mcss: query.mcss,
          audience: query.audience,
          tag: query.tag,
          group: query.section,
        },
        page,
        pageSize: parsed.success ? PAGE_SIZE : 1,
      })
      const groupTitles = new Map(result.groups.map(group => [group.id, group.title]))
      const values = parsed.success ? query : (request.query as Record<string, string>)
      const lastPage = Math.max(1, Math.ceil(result.total / PAGE_SIZE))
      const linkTo = (target: number) =>
        paths.requirements(result.catalogue.ref, { ...stringValues(values), page: String(target) })
      if (!parsed.success) reply.status(400)
      const errors = parsed.success
        ? []
        : problemsFrom(parsed.error).map(problem => ({ ...problem, field: fieldFor(problem.path) }))
      const selected = stringValues(values)
      const selectItems = (options: ReadonlyArray<{ value: string; text: string }>, name: string) => [
        { value: '', text: 'Any' },
        ...options.map(option => ({ ...option, selected: option.value === selected[name] })),
      ]
      const sectionOptions = result.groups.map(group => ({ value: group.id, text: group.title }))
      return reply.page('requirements.njk', {
        catalogue: result.catalogue,
        errors,
        errorSummaryList: errors.map(error => ({ text: error.message, href: `#${error.field}` })),
        fieldErrors: Object.fromEntries(errors.map(error => [error.field, error.message])),
        values: { q: '', tag: '', ...selected },
        filterItems: {
          obligation: selectItems(
            OBLIGATIONS.map(value => ({ value, text: obligationLabel(value) })),
            'obligation',
          ),
          mcss: selectItems(
            MCSS_FUNCTIONS.map(value => ({ value, text: value })),
            'mcss',
          ),
          audience: selectItems(
            AUDIENCES.map(value => ({ value, text: audienceFilterLabel(value) })),
            'audience',
          ),
          section: selectItems(sectionOptions, 'section'),
        },
        total: parsed.success ? result.total : 0,
        items: parsed.success
          ? result.items.map(item => presentListItem(result.catalogue, item, groupTitles.get(item.groupId) ?? ''))
          : [],
        pagination: {
          page,
          lastPage,
          previous: page > 1 ? linkTo(page - 1) : null,
          next: page < lastPage ? linkTo(page + 1) : null,
        },
      })
    },
  )

  app.get<{ Params: { ref: string; id: string } }>(
    '/catalogues/:ref/requirements/:id',
    { config: { permission: PERMISSIONS.public } },
    async (request, reply) => {
      if (!ItemIdSchema.safeParse(request.params.id).success) throw notFound('The requirement')
      const found = await findRequirement(deps, { ref: validRef(request.params.ref), id: request.params.id })
      return reply.page('requirement.njk', presentRequirementPage(found.catalogue, found.item, found.groupPath))
    },
  )

  app.get<{ Params: { ref: string } }>(
    '/catalogues/:ref/guidance',
    { config: { permission: PERMISSIONS.public } },
    async (request, reply) => {
      const { catalogue, groups, items } = await readCatalogue(deps, validRef(request.params.ref))
      if (catalogue.kind !== 'builtin') throw notFound('A reading view')
      return reply.page('guidance-index.njk', {
        catalogue,
        sections: groups.map(group => ({
          ...group,
          href: paths.guidanceSection(catalogue.ref, group.id),
          count: items.filter(item => item.groupId === group.id && item.kind === 'requirement').length,
        })),
      })
    },
  )

  app.get<{ Params: { ref: string; slug: string } }>(
    '/catalogues/:ref/guidance/:slug',
    { config: { permission: PERMISSIONS.public } },
    async (request, reply) => {
      const { catalogue, groups, items } = await readCatalogue(deps, validRef(request.params.ref))
      const index = groups.findIndex(group => group.id === request.params.slug)
      const group = groups[index]
      if (catalogue.kind !== 'builtin' || group === undefined) throw notFound('The section')
      const headings = groups.map(g => g.title)
      const text = sectionText(services.catalogue.guidanceText, headings, group.title)
      if (text === undefined)
        throw new AssureError('NOT_FOUND', `The guidance text has no section called ${group.title}`)
      const requirements = items.filter(item => item.groupId === group.id && item.kind === 'requirement')
      const titles = new Map(requirements.map(item => [item.id, item.title]))
      const blocks = readingBlocks(
        text,
        requirements.map(item => ({ id: item.id, statement: item.statement })),
      )
      const neighbour = (offset: number) => {
        const target = groups[index + offset]
        return target === undefined
          ? null
          : { href: paths.guidanceSection(catalogue.ref, target.id), title: target.title }
      }
      return reply.page('guidance-section.njk', {
        catalogue,
        group,
        blocks: markQuotations(blocks, id => ({
          id,
          href: paths.requirement(catalogue.ref, id),
          title: titles.get(id) ?? id,
        })),
        requirements: requirements.map(item => ({
          id: item.id,
          title: item.title,
          href: paths.requirement(catalogue.ref, item.id),
        })),
        informational: items.filter(item => item.groupId === group.id && item.kind === 'informational'),
        previous: neighbour(-1),
        next: neighbour(1),
      })
    },
  )
}

/**
 * A quotation can run across paragraphs: its anchor goes on its first run and its link on its last,
 * so each ID appears once on the page.
 */
function markQuotations<L>(blocks: readonly Block[], link: (id: string) => L) {
  const first = new Map<string, string>()
  const last = new Map<string, string>()
  blocks.forEach((block, b) =>
    block.segments.forEach((segment, s) =>
      segment.ids.forEach(id => {
        if (!first.has(id)) first.set(id, `${b}.${s}`)
        last.set(id, `${b}.${s}`)
      }),
    ),
  )
  return blocks.map((block, b) => ({
    kind: block.kind,
    segments: block.segments.map((segment, s) => ({
      text: segment.text,
      quoted: segment.ids.length > 0,
      anchors: segment.ids.filter(id => first.get(id) === `${b}.${s}`),
      links: segment.ids.filter(id => last.get(id) === `${b}.${s}`).map(link),
    })),
  }))
}

const FIELDS = new Set(['q', 'obligation', 'mcss', 'audience', 'tag', 'section'])
/** The form field an error belongs to, for the error summary's links; errors about unknown parameters go to the search box. */
const fieldFor = (problemPath: string) => (FIELDS.has(problemPath) ? problemPath : 'q')

function stringValues(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([key, value]) => key !== 'page' && (typeof value === 'string' || typeof value === 'number'))
      .map(([key, value]) => [key, String(value)]),
  )
}
