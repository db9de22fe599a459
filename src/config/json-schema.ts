/**
 * The config's JSON Schema, generated from the same zod schema that validates it (zod's native
 * `z.toJSONSchema`), for editors and the generated config reference. Draft-07, so common validators read it.
 */
import { z } from 'zod';
import { configFileSchema } from './schema.js';

/** The `$id` of the generated schema. */
export const configSchemaId = 'urn:heatcheck:config:v1';

/** The JSON Schema (draft-07) of a heatcheck config file: every field optional, unknown fields rejected. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configFileSchema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
  return { ...schema, $id: configSchemaId, title: 'heatcheck audit config' };
}
