// The layer table of ../shared/design/architecture.md: which src/ folders each folder may import.
// The lint rule in eslint.config.js enforces it; keep the two documents in step.
export const allowedImports = {
  core: [],
  imaging: ['core'],
  data: ['core', 'imaging'],
  graph: ['core'],
  engine: ['core', 'graph'],
  models: ['core', 'imaging', 'graph', 'engine'],
  saliency: ['core', 'imaging'],
  metrics: ['core'],
  criteria: ['core', 'imaging', 'metrics', 'saliency'],
  report: ['core', 'imaging'],
  config: ['core', 'imaging', 'data', 'graph', 'engine', 'models', 'saliency', 'metrics', 'criteria', 'report'],
  jobs: ['core', 'imaging', 'data', 'graph', 'engine', 'models', 'saliency', 'metrics', 'criteria', 'report', 'config'],
  cli: ['config', 'jobs', 'data', 'report', 'core'],
};

// Packages that only some layers may use: onnxruntime and ONNX protobufs stay inside graph/ and engine/.
export const restrictedPackages = {
  'onnxruntime-node': ['engine'],
  'onnxruntime-common': ['engine'],
  'onnx-proto': ['graph'],
  protobufjs: ['graph'],
};
