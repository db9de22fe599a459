/**
 * The config layer's public surface: the audit config's zod schema and types, the `arun2021` and
 * `recommended` presets, resolution (preset + file + command line, every option's source recorded),
 * validation with file and field paths, the generated JSON Schema and reference, and the mapping from a
 * config to the criteria's and methods' option objects.
 */
export { auditConfigSchema, configFileSchema, configMethodIds, presetNames } from './schema.js';
export type { AuditConfig, ConfigFile, DeepPartial, PresetName } from './schema.js';
export { arun2021Preset, recommendedPreset, presets } from './presets.js';
export { resolveConfig, validateConfig, configProblems, parseConfigText, parseSetOverride, mergeConfig, formatPath, defaultPreset } from './resolve.js';
export type { ConfigLayer, ResolveOptions, ResolvedConfig } from './resolve.js';
export { configErrorCodes, configErrors } from './messages.js';
export type { ConfigPlace } from './messages.js';
export { configJsonSchema, configSchemaId } from './json-schema.js';
export { configReference } from './reference.js';
export { criteriaSettings, methodOptions } from './wiring.js';
export type { CriteriaSettings } from './wiring.js';
