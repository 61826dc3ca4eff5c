/** Manifest building: the one Task and its companions, names, labels, namespace; control workflows. */
export { buildManifest, isTask, type BuildManifestArgs, type Manifest } from './manifest.ts';
export { ManifestError } from './errors.ts';
export { sanitizeName, sanitizeLabelValue, isValidName, shortHash, type NameStyle } from './names.ts';
export {
  LABEL_MANAGED_BY,
  LABEL_NAME,
  LABEL_TASK_ID,
  MANAGED_BY_VALUE,
  ANNOTATION_ORIGINAL_NAME,
  TASK_API_VERSION,
  TASK_KIND,
} from './labels.ts';
export { isClusterScopedKind, decideNamespace, type NamespaceSources, type NamespaceDecision } from './scope.ts';
export {
  parseControlWorkflow,
  WorkflowError,
  type ControlWorkflow,
  type ControlMode,
  type ParseWorkflowOptions,
} from './workflow.ts';
