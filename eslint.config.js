import path from 'node:path';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { allowedImports, restrictedPackages } from './scripts/layers.mjs';

const srcRoot = path.resolve('src');

function layerOf(file) {
  const rel = path.relative(srcRoot, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const first = rel.split(path.sep)[0];
  return first && first in allowedImports ? first : undefined;
}

// Local rule: an import from src/<a>/ into src/<b>/ is allowed only if the layer table says so.
const layerRule = {
  meta: { type: 'problem', schema: [], messages: { wrong: '{{from}}/ may not import {{what}} (allowed: {{allowed}}); see scripts/layers.mjs' } },
  create(context) {
    const from = layerOf(context.filename);
    if (!from) return {};
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (source.startsWith('.')) {
        const target = layerOf(path.resolve(path.dirname(context.filename), source));
        if (target && target !== from && !allowedImports[from].includes(target)) {
          context.report({ node, messageId: 'wrong', data: { from, what: `${target}/`, allowed: allowedImports[from].join(', ') || 'nothing in src/' } });
        }
        return;
      }
      for (const [pkg, layers] of Object.entries(restrictedPackages)) {
        if ((source === pkg || source.startsWith(`${pkg}/`)) && !layers.includes(from)) {
          context.report({ node, messageId: 'wrong', data: { from, what: pkg, allowed: `only ${layers.join(', ')}/` } });
        }
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'tmp/**', '**/*.tmp.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { heatcheck: { rules: { layers: layerRule } } },
    rules: {
      'heatcheck/layers': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'Use a seeded generator from core/rng.' }],
      'no-console': 'error',
    },
  },
  { files: ['src/cli/**/*.ts'], rules: { 'no-console': 'off' } },
);
