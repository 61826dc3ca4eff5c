/** The labels kubectl-task puts on every object it creates, so they can be selected and cleaned up. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_TASK_ID = 'kubectl-task/task-id';
export const MANAGED_BY_VALUE = 'kubectl-task';
/** Set when a name had to be sanitised, so users can find what they wrote. */
export const ANNOTATION_ORIGINAL_NAME = 'kubectl-task/original-name';

export const TASK_API_VERSION = 'aliecs.alice.cern/v1alpha1';
export const TASK_KIND = 'Task';
