import { z } from 'zod'
import { CLEARANCE_LEVELS, ROLES } from './roles.ts'
import { API_SCOPES, TOKEN_MAX_DAYS } from './api-tokens.ts'
import { PASSWORD_MAX, PASSWORD_MIN } from './passwords.ts'
import { SECURITY_SETTING_KEYS } from './security-settings.ts'

const email = z
  .string({ error: 'Enter an email address' })
  .trim()
  .min(1, 'Enter an email address')
  .max(254, 'Email address must be 254 characters or fewer')
  .pipe(z.email({ error: 'Enter an email address in the correct format, like name@example.com' }))

/** The first-run setup form. */
export const SetupFormSchema = z
  .strictObject({
    _csrf: z.string(),
    email,
    displayName: z
      .string({ error: 'Enter your full name' })
      .trim()
      .min(1, 'Enter your full name')
      .max(100, 'Full name must be 100 characters or fewer'),
    password: z
      .string({ error: 'Enter a password' })
      .min(1, 'Enter a password')
      .max(PASSWORD_MAX, `Password must be ${PASSWORD_MAX} characters or fewer`),
    confirmPassword: z.string({ error: 'Confirm your password' }),
    clearance: z.enum(CLEARANCE_LEVELS, { error: 'Select your security clearance' }),
    'clearanceCheckedOn-day': z.string().trim(),
    'clearanceCheckedOn-month': z.string().trim(),
    'clearanceCheckedOn-year': z.string().trim(),
  })
  .superRefine((form, ctx) => {
    if (form.password.length > 0 && form.password.length < PASSWORD_MIN) {
      ctx.addIssue({
        code: 'custom',
        path: ['password'],
        message: `Password must be ${PASSWORD_MIN} characters or more`,
      })
    }
    // Guidance, Minimum User Clearance: privileged access needs clearance higher than BPSS.
    if (form.clearance === 'BPSS')
      ctx.addIssue({
        code: 'custom',
        path: ['clearance'],
        message: 'An administrator needs security clearance higher than BPSS',
      })
    if (form.confirmPassword !== form.password)
      ctx.addIssue({ code: 'custom', path: ['confirmPassword'], message: 'Passwords must match' })
    const [day, month, year] = [
      form['clearanceCheckedOn-day'],
      form['clearanceCheckedOn-month'],
      form['clearanceCheckedOn-year'],
    ].map(Number)
    const date = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 0))
    const real =
      /^\d{4}$/.test(form['clearanceCheckedOn-year']) &&
      date.getUTCDate() === day &&
      date.getUTCMonth() === (month ?? 0) - 1
    if (!real)
      ctx.addIssue({
        code: 'custom',
        path: ['clearanceCheckedOn'],
        message: 'Date clearance was checked must be a real date, like 27 3 2026',
      })
    else if (date.getTime() > Date.now())
      ctx.addIssue({
        code: 'custom',
        path: ['clearanceCheckedOn'],
        message: 'Date clearance was checked must be today or in the past',
      })
  })
  .transform(form => ({
    email: form.email,
    displayName: form.displayName,
    password: form.password,
    clearance: form.clearance,
    clearanceCheckedOn: `${form['clearanceCheckedOn-year']}-${form['clearanceCheckedOn-month'].padStart(2, '0')}-${form['clearanceCheckedOn-day'].padStart(2, '0')}`,
  }))

/** The sign-in form. */
export const SignInFormSchema = z.strictObject({
  _csrf: z.string(),
  email,
  password: z
    .string({ error: 'Enter your password' })
    .min(1, 'Enter your password')
    .max(PASSWORD_MAX, 'Enter a correct email address and password'),
})

/** A 6-digit code from an authenticator app. */
export const TotpFormSchema = z.strictObject({
  _csrf: z.string(),
  code: z
    .string({ error: 'Enter the code from your authenticator app' })
    .transform(code => code.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app')),
})

/** A recovery code. */
export const RecoveryFormSchema = z.strictObject({
  _csrf: z.string(),
  code: z
    .string({ error: 'Enter a recovery code' })
    .trim()
    .regex(/^[A-Za-z0-9]{5}-?[A-Za-z0-9]{5}$/, 'Enter a recovery code, like ABCDE-FGHJK'),
})

/** Naming and confirming a new authenticator app. */
export const TotpEnrolFormSchema = z.strictObject({
  _csrf: z.string(),
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name for the app, like “Work phone”')
    .max(60, 'Name must be 60 characters or fewer'),
  code: z
    .string({ error: 'Enter the code from your authenticator app' })
    .transform(code => code.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app')),
})

/** The browser's WebAuthn result, with a name for a new key. Shapes are checked by @simplewebauthn. */
export const WebauthnBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(60).optional(),
  response: z.looseObject({ id: z.string().min(1).max(1024), type: z.literal('public-key') }),
})

/** Accepting an invitation: choosing a password. */
export const InvitationFormSchema = z
  .strictObject({
    _csrf: z.string(),
    password: z
      .string({ error: 'Enter a password' })
      .min(PASSWORD_MIN, `Password must be ${PASSWORD_MIN} characters or more`)
      .max(PASSWORD_MAX, `Password must be ${PASSWORD_MAX} characters or fewer`),
    confirmPassword: z.string({ error: 'Confirm your password' }),
  })
  .refine(form => form.password === form.confirmPassword, {
    path: ['confirmPassword'],
    message: 'Passwords must match',
  })

/** Inviting a person. */
export const InviteFormSchema = z.strictObject({
  _csrf: z.string(),
  email,
  displayName: z
    .string({ error: 'Enter their full name' })
    .trim()
    .min(1, 'Enter their full name')
    .max(100, 'Full name must be 100 characters or fewer'),
  organisationId: z.string({ error: 'Select an organisation' }).uuid('Select an organisation'),
  roles: z
    .union([z.string(), z.array(z.string())], { error: 'Select at least one role' })
    .transform(value => (Array.isArray(value) ? value : [value]))
    .pipe(z.array(z.enum(ROLES, { error: 'Select roles from the list' })).min(1, 'Select at least one role')),
})

/** Changing a person's roles (no roles at all is its own error, checked by the operation). */
export const RolesFormSchema = z.strictObject({
  _csrf: z.string(),
  roles: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform(value => ([] as string[]).concat(value ?? []))
    .pipe(z.array(z.enum(ROLES, { error: 'Select roles from the list' }))),
})

/** Changing a person's email address. */
export const EmailFormSchema = z.strictObject({
  _csrf: z.string(),
  email,
})

/** Moving a person to another organisation, with the roles they hold there (none ticked: keep the roles that fit). */
export const MoveFormSchema = z.strictObject({
  _csrf: z.string(),
  organisationId: z.string({ error: 'Select an organisation' }).uuid('Select an organisation'),
  roles: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform(value => ([] as string[]).concat(value ?? []))
    .pipe(z.array(z.enum(ROLES, { error: 'Select roles from the list' }))),
})

/** Proposing a change to a security setting: which one, and on or off. */
export const SecuritySettingFormSchema = z
  .strictObject({
    _csrf: z.string(),
    setting: z.enum(SECURITY_SETTING_KEYS, { error: 'Select a security setting' }),
    value: z.enum(['on', 'off'], { error: 'Select on or off' }),
  })
  .transform(form => ({ setting: form.setting, value: form.value === 'on' }))

/** Adding a supplier organisation. */
export const OrganisationFormSchema = z.strictObject({
  _csrf: z.string(),
  name: z
    .string({ error: 'Enter the organisation’s legal name' })
    .trim()
    .min(2, 'Enter the organisation’s legal name')
    .max(200, 'Name must be 200 characters or fewer'),
})

/** Renaming a factor. */
export const FactorNameFormSchema = z.strictObject({
  _csrf: z.string(),
  name: z
    .string({ error: 'Enter a name' })
    .trim()
    .min(1, 'Enter a name, like “Blue YubiKey”')
    .max(60, 'Name must be 60 characters or fewer'),
})

/** Creating a personal API token. */
export const ApiTokenFormSchema = z.strictObject({
  _csrf: z.string(),
  name: z
    .string({ error: 'Enter a name' })
    .trim()
    .min(1, 'Enter a name for the token, like “Nightly export”')
    .max(60, 'Name must be 60 characters or fewer'),
  scopes: z
    .union([z.string(), z.array(z.string())], { error: 'Select at least one scope' })
    .transform(value => ([] as string[]).concat(value))
    .pipe(z.array(z.enum(API_SCOPES, { error: 'Select scopes from the list' })).min(1, 'Select at least one scope')),
  days: z.coerce
    .number({ error: 'Enter how many days the token lasts' })
    .int('Enter a whole number of days')
    .min(1, `The token must last 1 to ${TOKEN_MAX_DAYS} days`)
    .max(TOKEN_MAX_DAYS, `The token must last 1 to ${TOKEN_MAX_DAYS} days`),
})
