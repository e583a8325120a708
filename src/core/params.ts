/**
 * Profiles and parameters. A notebook's `parameters` cell (papermill tag) holds the profile and
 * size overrides; `resolveParameters` fills defaults from the profile and validates every value
 * before any work, with messages naming the notebook, the parameter and what is allowed.
 */
/**
 * `smoke`: a short run that checks the code runs (not evidence). `full`: the published results (committed records).
 * `large`: bigger models and more seeds or updates, for a GPU machine or a cluster; optional — only the notebooks that
 * declare it run it (docs/gpu.md, "The large profile"); its results are evidence but not committed.
 */
export type Profile = 'smoke' | 'full' | 'large';
export const PROFILES: readonly Profile[] = ['smoke', 'full', 'large'];

/** A notebook's defaults per profile: `smoke` and `full` always, `large` where the notebook has one. */
export type ProfileDefaults<V> = Record<'smoke' | 'full', V> & { large?: V };

export type ParamSpec =
  | { type: 'int'; min?: number; max?: number; doc?: string }
  | { type: 'number'; min?: number; max?: number; doc?: string }
  | { type: 'boolean'; doc?: string }
  | { type: 'string'; oneOf?: readonly string[]; doc?: string }
  | { type: 'int[]'; min?: number; max?: number; minLength?: number; doc?: string }
  | { type: 'number[]'; min?: number; max?: number; minLength?: number; doc?: string };

type ValueOf<S extends ParamSpec> = S extends { type: 'int' | 'number' }
  ? number
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { type: 'string' }
      ? string
      : number[];

export type ParamValues<Spec extends Record<string, ParamSpec>> = { [K in keyof Spec]: ValueOf<Spec[K]> };

export class ParameterError extends Error {
  name = 'ParameterError';
}

export function checkProfile(value: unknown, where: string): Profile {
  if (typeof value === 'string' && (PROFILES as readonly string[]).includes(value)) return value as Profile;
  throw new ParameterError(
    `${where}: unknown profile ${JSON.stringify(value)}; allowed profiles: ${PROFILES.join(', ')}.`,
  );
}

function describe(spec: ParamSpec): string {
  const range =
    'min' in spec || 'max' in spec
      ? ` in [${(spec as { min?: number }).min ?? '-∞'}, ${(spec as { max?: number }).max ?? '∞'}]`
      : '';
  if (spec.type === 'string' && spec.oneOf) return `one of ${spec.oneOf.map((s) => JSON.stringify(s)).join(', ')}`;
  if (spec.type === 'int[]' || spec.type === 'number[]')
    return (
      `an array of ${spec.type === 'int[]' ? 'integers' : 'numbers'}${range}` +
      `${spec.minLength ? ` with at least ${spec.minLength} entries` : ''}`
    );
  const kind =
    spec.type === 'int'
      ? 'an integer'
      : spec.type === 'number'
        ? 'a number'
        : spec.type === 'boolean'
          ? 'true or false'
          : 'a string';
  return `${kind}${range}`;
}

function validOne(spec: ParamSpec, v: unknown): boolean {
  switch (spec.type) {
    case 'int':
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return false;
      if (spec.type === 'int' && !Number.isInteger(v)) return false;
      if (spec.min !== undefined && v < spec.min) return false;
      if (spec.max !== undefined && v > spec.max) return false;
      return true;
    }
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string' && (!spec.oneOf || spec.oneOf.includes(v));
    case 'int[]':
    case 'number[]': {
      if (!Array.isArray(v)) return false;
      if (spec.minLength !== undefined && v.length < spec.minLength) return false;
      const inner: ParamSpec = { type: spec.type === 'int[]' ? 'int' : 'number', min: spec.min, max: spec.max };
      return v.every((x) => validOne(inner, x));
    }
  }
}

/**
 * Merge `overrides` (values from the parameters cell; `null`/`undefined` = use the profile's default)
 * onto `defaults[profile]`, and validate against `spec`. Unknown names are rejected.
 */
export function resolveParameters<Spec extends Record<string, ParamSpec>>(args: {
  notebook: string;
  profile: Profile;
  spec: Spec;
  defaults: ProfileDefaults<ParamValues<Spec>>;
  overrides?: Record<string, unknown>;
}): ParamValues<Spec> {
  const { notebook, profile, spec, defaults } = args;
  checkProfile(profile, `${notebook}: parameter "profile"`);
  const chosen = defaults[profile];
  if (!chosen)
    throw new ParameterError(
      `${notebook}: this notebook declares no "${profile}" profile (it has: ` +
        `${PROFILES.filter((p) => defaults[p]).join(', ')}). Add \`${profile}: { … }\` to the defaults of its ` +
        `startNotebook call, or run another profile; \`npm run reports -- --profile large\` runs only the notebooks ` +
        'that declare one.',
    );
  const out: Record<string, unknown> = { ...chosen };
  for (const [k, v] of Object.entries(args.overrides ?? {})) {
    if (!(k in spec)) {
      throw new ParameterError(
        `${notebook}: unknown parameter "${k}". Known parameters: profile, ${Object.keys(spec).join(', ')}.`,
      );
    }
    if (v !== null && v !== undefined) out[k] = v;
  }
  for (const [k, s] of Object.entries(spec)) {
    const v = out[k];
    if (v === undefined)
      throw new ParameterError(
        `${notebook}: parameter "${k}" has no value in profile "${profile}"; expected ${describe(s)}.`,
      );
    if (!validOne(s, v)) {
      throw new ParameterError(
        `${notebook}: parameter "${k}" = ${JSON.stringify(v)} is not allowed; expected ${describe(s)}.`,
      );
    }
  }
  return out as ParamValues<Spec>;
}

/** Parse a CLI `name=value` override (JSON value, or a bare string). */
export function parseOverride(text: string): [string, unknown] {
  const i = text.indexOf('=');
  if (i <= 0) throw new ParameterError(`--param ${text}: expected name=value, e.g. --param seeds=5.`);
  const name = text.slice(0, i).trim();
  const raw = text.slice(i + 1).trim();
  try {
    return [name, JSON.parse(raw)];
  } catch {
    return [name, raw];
  }
}
