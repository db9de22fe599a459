/**
 * The config reference as Markdown, generated from the JSON Schema and the presets, so the documented
 * fields, types, defaults and descriptions cannot drift from the validator.
 */
import { z } from 'zod';
import { presets } from './presets.js';
import { auditConfigSchema } from './schema.js';

type Node = { type?: string | string[]; enum?: unknown[]; const?: unknown; anyOf?: Node[]; properties?: Record<string, Node>; items?: Node; description?: string; minimum?: number; exclusiveMinimum?: number; maximum?: number };

function typeText(node: Node): string {
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.anyOf) return node.anyOf.map(typeText).join(' \\| ');
  if (node.type === 'array') return `${node.items ? typeText(node.items) : 'value'}[]`;
  if (Array.isArray(node.type)) return node.type.join(' \\| ');
  return node.type ?? 'value';
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let v = data;
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

function cell(value: unknown): string {
  return value === undefined ? '' : `\`${JSON.stringify(value)}\``.replace(/\|/g, '\\|');
}

/** Markdown table of every config field: path, type, the value in each preset, and its description. */
export function configReference(): string {
  const root = z.toJSONSchema(auditConfigSchema, { target: 'draft-7', io: 'input' }) as Node;
  const rows: string[] = ['| field | type | arun2021 | recommended | description |', '| --- | --- | --- | --- | --- |'];
  const walk = (node: Node, path: string[]): void => {
    const isObject = node.type === 'object' && node.properties && Object.keys(node.properties).length > 0;
    if (path.length && (!isObject || path[path.length - 1] === 'phantom')) {
      rows.push(`| \`${path.join('.')}\` | ${typeText(node)} | ${cell(valueAt(presets.arun2021, path))} | ${cell(valueAt(presets.recommended, path))} | ${node.description ?? ''} |`);
      if (!isObject) return;
    }
    if (path.length && node.description && isObject) rows.push(`| \`${path.join('.')}\` | object | | | ${node.description} |`);
    for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, [...path, key]);
  };
  walk(root, []);
  return rows.join('\n');
}
