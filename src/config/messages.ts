/**
 * The config layer's message catalogue: every `ConfigError` is built here, naming the file (or the
 * preset / command line) and the field path, saying what was expected and listing valid values.
 */
import { ConfigError } from '../core/errors.js';

/** Stable codes of the errors this layer raises. */
export const configErrorCodes = {
  invalidJson: 'config-invalid-json',
  yamlUnsupported: 'config-yaml-unsupported',
  notAnObject: 'config-not-an-object',
  unknownField: 'config-unknown-field',
  unknownMethod: 'config-unknown-method',
  invalidChoice: 'config-invalid-choice',
  wrongType: 'config-wrong-type',
  missingField: 'config-missing-field',
  outOfRange: 'config-out-of-range',
  invalid: 'config-invalid',
  unknownPreset: 'config-unknown-preset',
  badOverride: 'config-bad-override',
} as const;

/** Where a problem is: the file (or `preset <name>` / `command line`) and the field path. */
export interface ConfigPlace {
  readonly file?: string;
  readonly path?: string;
}

const quote = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : JSON.stringify(value));

/** Builds the layer's errors. */
export const configErrors = {
  invalidJson(file: string, detail: string, line?: number, column?: number): ConfigError {
    const at = line !== undefined ? ` at line ${line}, column ${column ?? 1}` : '';
    return new ConfigError(configErrorCodes.invalidJson, `not valid JSON${at}: ${detail}`, { file }, { hint: 'check for trailing commas, comments and unquoted keys' });
  },
  yamlUnsupported(file: string): ConfigError {
    return new ConfigError(configErrorCodes.yamlUnsupported, 'YAML config files are not supported; write the config as JSON', { file }, {
      hint: 'convert the file to JSON (the JSON Schema from `heatcheck config schema` gives editor completion)',
    });
  },
  notAnObject(file: string, got: string): ConfigError {
    return new ConfigError(configErrorCodes.notAnObject, `the config must be a JSON object, got ${got}`, { file });
  },
  unknownField(place: ConfigPlace, keys: readonly string[], allowed: readonly string[]): ConfigError {
    const which = keys.length === 1 ? `unknown field ${quote(keys[0])}` : `unknown fields ${keys.map(quote).join(', ')}`;
    return new ConfigError(configErrorCodes.unknownField, `${which}; expected one of ${allowed.join(', ')}`, place);
  },
  unknownMethod(place: ConfigPlace, value: unknown, ids: readonly string[]): ConfigError {
    return new ConfigError(configErrorCodes.unknownMethod, `unknown method ${quote(value)}; expected one of ${ids.join(', ')}`, place);
  },
  invalidChoice(place: ConfigPlace, value: unknown, options: readonly unknown[]): ConfigError {
    const got = value === undefined ? 'a missing value' : quote(value);
    return new ConfigError(configErrorCodes.invalidChoice, `${got} is not allowed; expected one of ${options.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join(', ')}`, place);
  },
  wrongType(place: ConfigPlace, expected: string, value: unknown, hint?: string): ConfigError {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return new ConfigError(configErrorCodes.wrongType, `expected ${expected}, got ${got}${value !== null && typeof value !== 'object' ? ` ${quote(value)}` : ''}`, place, hint ? { hint } : {});
  },
  missingField(place: ConfigPlace, expected: string, hint?: string): ConfigError {
    return new ConfigError(configErrorCodes.missingField, `missing; expected ${expected}`, place, hint ? { hint } : {});
  },
  outOfRange(place: ConfigPlace, value: unknown, bound: string): ConfigError {
    return new ConfigError(configErrorCodes.outOfRange, `${quote(value)} is out of range; expected ${bound}`, place);
  },
  invalid(place: ConfigPlace, message: string, hint?: string): ConfigError {
    return new ConfigError(configErrorCodes.invalid, message, place, hint ? { hint } : {});
  },
  unknownPreset(place: ConfigPlace, name: unknown, presets: readonly string[]): ConfigError {
    return new ConfigError(configErrorCodes.unknownPreset, `unknown preset ${quote(name)}; expected one of ${presets.join(', ')}`, place);
  },
  badOverride(text: string, reason: string): ConfigError {
    return new ConfigError(configErrorCodes.badOverride, `cannot read override ${quote(text)}: ${reason}`, { file: 'command line' }, {
      hint: 'write --set path.to.field=value, e.g. --set criteria.statistics.alpha=0.01 or --set saliency.methods=["grad-cam","xrai"]',
    });
  },
  /** Adds "and N more problems" to the first error of a list. */
  withOthers(first: ConfigError, others: readonly ConfigError[]): ConfigError {
    if (others.length === 0) return first;
    const lines = others.map((e) => e.message.split('\n')[0]).join('; ');
    const prefix = [first.file, first.path].filter(Boolean).join(' › ');
    const message = first.message.split('\n')[0]!.slice(prefix ? prefix.length + 2 : 0);
    const hint = [first.hint, `${others.length} more problem(s): ${lines}`].filter(Boolean).join('\n  ');
    return new ConfigError(first.code, message, { ...(first.file ? { file: first.file } : {}), ...(first.path ? { path: first.path } : {}) }, { hint });
  },
};

/** Hints for fields whose absence is a known trap. */
export const fieldHints: Readonly<Record<string, string>> = Object.freeze({
  'criteria.ssim.dataRange':
    'state it whenever SSIM settings are given: SSIM needs the maps\' data range: 2 reproduces the paper (scikit-image\'s default for float maps), 1 is the true range of maps in [0, 1]',
});
