import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import multipart from '@fastify/multipart'

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Set on upload routes only. Their CSRF token travels inside the multipart body, which is read after
     * authentication by `checkUploadCsrf` (the route's preHandler), so the app-wide check waits for it; the app
     * refuses to register a route that sets this without that hook.
     */
    csrfAfterUpload?: boolean
  }
  interface FastifyRequest {
    /** An upload route's form fields and file, once `checkUploadCsrf` has read them. */
    upload: Upload | null
  }
}

/** What an upload form sent: its text fields (the first of each name) and the file chosen, if any. */
export interface Upload {
  readonly fields: Record<string, string>
  /** `truncated` means the file was larger than the limit; its bytes are then dropped. */
  readonly file: { readonly fileName: string; readonly bytes: Buffer; readonly truncated: boolean } | null
}

/** The name of the file input on upload forms. */
export const FILE_FIELD = 'file'

/**
 * Lets one scope (and only that scope) take multipart forms: one file of at most `maxBytes`, a few short fields.
 * Other routes keep refusing multipart bodies (415), so their CSRF check always sees a parsed body.
 */
export async function registerUploads(scope: FastifyInstance, options: { maxBytes: number }): Promise<void> {
  await scope.register(multipart, {
    // ASVS v5.0.0-5.2.1: accept only files of a size the service can process.
    limits: { fileSize: options.maxBytes, files: 1, fields: 20, fieldSize: 10_000, parts: 21 },
    throwFileSizeLimit: false,
  })
  scope.decorateRequest('upload', null)
}

const stringFields = (body: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries((body ?? {}) as Record<string, unknown>).flatMap(([key, value]) => {
      const first: unknown = Array.isArray(value) ? value[0] : value
      return typeof first === 'string' ? [[key, first]] : []
    }),
  )

/** Reads a form's parts: the file into memory up to the limit (beyond it, only the fact that it was too large). */
async function readUpload(request: FastifyRequest): Promise<Upload> {
  if (!request.isMultipart()) return { fields: stringFields(request.body), file: null }
  const fields: Record<string, string> = {}
  let file: Upload['file'] = null
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      if (typeof part.value === 'string') fields[part.fieldname] ??= part.value
      continue
    }
    const chunks: Buffer[] = []
    for await (const chunk of part.file) chunks.push(chunk as Buffer)
    const bytes = Buffer.concat(chunks)
    // A file input left empty is sent as a part with no name and no bytes: nothing was chosen.
    if (part.fieldname !== FILE_FIELD || file !== null || (part.filename === '' && bytes.length === 0)) continue
    const { truncated } = part.file
    file = { fileName: part.filename, bytes: truncated ? Buffer.alloc(0) : bytes, truncated }
  }
  return { fields, file }
}

/**
 * An upload route's preHandler: reads the multipart body, then checks its CSRF token with the same check, secret and
 * token as every other form, before the handler can change anything. A missing or wrong token is refused (403).
 */
export function checkUploadCsrf(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  readUpload(request).then(
    upload => {
      request.upload = upload
      request.body = upload.fields
      request.server.csrfProtection(request, reply, done)
    },
    (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
  )
}
