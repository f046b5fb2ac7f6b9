import type { FastifyInstance } from 'fastify'
import { paths } from '../../paths.ts'
import { AUDIENCES, MCSS_FUNCTIONS, OBLIGATIONS } from '../../catalogue/schema.ts'
import { PERMISSIONS } from '../../identity/policy.ts'

const problem = { $ref: '#/components/responses/Problem' }
const refParam = {
  name: 'version',
  in: 'path',
  required: true,
  description: '`latest`, a built-in catalogue version such as `1.0.0`, or an imported catalogue reference',
  schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' },
}

/** The OpenAPI 3.1 description of the JSON API. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Assure API',
    version: '1.0.0',
    description:
      'The MoJ Cyber Security Guidance: Supplier Edition as a versioned control catalogue. Errors are RFC 9457 problem documents.',
  },
  paths: {
    [paths.api.catalogues]: {
      get: {
        summary: 'List stored catalogues (built-in versions and imported frameworks)',
        responses: {
          200: { description: 'The catalogues', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
    '/api/v1/catalogue/{version}/requirements': {
      get: {
        summary: 'Search and filter requirements, a page at a time',
        parameters: [
          refParam,
          {
            name: 'q',
            in: 'query',
            description: 'Words that must all appear',
            schema: { type: 'string', maxLength: 200 },
          },
          { name: 'obligation', in: 'query', schema: { type: 'string', enum: [...OBLIGATIONS] } },
          { name: 'mcss', in: 'query', schema: { type: 'string', enum: [...MCSS_FUNCTIONS] } },
          {
            name: 'audience',
            in: 'query',
            description: 'Who is bound; `both` items match either audience',
            schema: { type: 'string', enum: [...AUDIENCES] },
          },
          { name: 'tag', in: 'query', schema: { type: 'string', pattern: '^[a-z0-9-]{1,40}$' } },
          { name: 'section', in: 'query', schema: { type: 'string', pattern: '^[a-z0-9.-]{1,80}$' } },
          { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000, default: 1 } },
          { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
        ],
        responses: {
          200: {
            description: 'A page of requirements',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          400: problem,
          404: problem,
        },
      },
    },
    '/api/v1/catalogue/{version}/requirements/{id}': {
      get: {
        summary: 'One requirement',
        parameters: [
          refParam,
          { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' } },
        ],
        responses: {
          200: { description: 'The requirement', content: { 'application/json': { schema: { type: 'object' } } } },
          400: problem,
          404: problem,
        },
      },
    },
    [paths.api.me]: {
      get: {
        summary: 'The token owner’s own account',
        security: [{ bearer: [] }],
        responses: {
          200: { description: 'The account', content: { 'application/json': { schema: { type: 'object' } } } },
          401: problem,
          403: problem,
        },
      },
    },
    [paths.api.people]: {
      get: {
        summary: 'The people the token owner manages (scope people:read and an administrator role)',
        security: [{ bearer: [] }],
        responses: {
          200: { description: 'The people', content: { 'application/json': { schema: { type: 'object' } } } },
          401: problem,
          403: problem,
        },
      },
    },
    [paths.api.suppliers]: {
      get: {
        summary: 'The supplier register (scope suppliers:read); a supplier’s token sees its own supplier only',
        security: [{ bearer: [] }],
        responses: {
          200: { description: 'The suppliers', content: { 'application/json': { schema: { type: 'object' } } } },
          401: problem,
          403: problem,
        },
      },
    },
    '/api/v1/suppliers/{id}': {
      get: {
        summary: 'A supplier’s register entry: profile, contracts and cloud accounts (scope suppliers:read)',
        security: [{ bearer: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          200: { description: 'The supplier', content: { 'application/json': { schema: { type: 'object' } } } },
          400: problem,
          401: problem,
          403: problem,
          404: problem,
        },
      },
    },
    '/api/v1/suppliers/{id}/obligations': {
      get: {
        summary:
          'A supplier’s recurring obligations: schedules with their intervals, and instances with their state (scope suppliers:read)',
        security: [{ bearer: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          200: { description: 'The obligations', content: { 'application/json': { schema: { type: 'object' } } } },
          401: problem,
          403: problem,
          404: problem,
        },
      },
    },
    '/api/v1/suppliers/{id}/baseline': {
      get: {
        summary:
          'A supplier’s AWS accounts against the baseline: latest results by rule and region, open violations with their clock and next step, actions with AWS request IDs, and mutes (scope baseline:read)',
        security: [{ bearer: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          200: { description: 'The accounts', content: { 'application/json': { schema: { type: 'object' } } } },
          401: problem,
          403: problem,
          404: problem,
        },
      },
    },
    '/api/v1/catalogue/{version}/oscal': {
      get: {
        summary: 'The built-in catalogue as an OSCAL 1.1.2 catalog',
        parameters: [refParam],
        responses: {
          200: {
            description: 'An OSCAL catalog document',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          404: problem,
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'A personal API token from /account/api-tokens (assure_…). Cookies never authenticate the API.',
      },
    },
    schemas: {
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status'],
        properties: {
          type: { type: 'string', format: 'uri' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          instance: { type: 'string' },
          requestId: { type: 'string' },
          errors: {
            type: 'array',
            items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
          },
        },
      },
    },
    responses: {
      Problem: {
        description: 'An RFC 9457 problem document',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    },
  },
} as const

/** Serves the OpenAPI document. */
export function registerOpenApi(app: FastifyInstance): void {
  app.get(paths.api.openapi, { config: { permission: PERMISSIONS.public } }, async () => openApiDocument)
}
