/**
 * The public API of kubectl-task. The sandbox is exported from its own entry
 * (`kubectl-task/sandbox`) so that the product never loads it.
 */
export { KubectlTask, type KubectlTaskOptions, type KubectlTaskByIdOptions, type LaunchOptions, type Stage, type StatusUpdate } from './task/kubectl-task.ts';
export { findTask, parseTaskName, type TaskLocator } from './task/by-id.ts';
export { ANNOTATION_KILLED_BY, DEFAULT_COMPANION_TYPES } from './task/ownership.ts';
export {
  ReasonedError,
  isReasonedError,
  isReason,
  reasonOf,
  messageOf,
  KUBECTL_REASONS,
  TASK_REASONS,
  INPUT_REASONS,
  BRIDGE_REASONS,
  type Reason,
  type KubectlReason,
  type TaskReason,
  type InputReason,
  type BridgeReason,
} from './errors.ts';
export { TaskError, isTaskError } from './task/errors.ts';
export { executorStateFor, parseTaskState, type ExecutorState, type TaskState, type DesiredState } from './task/states.ts';
export { TRANSITIONS, parseTransitionEvent, type TransitionEvent } from './task/transitions.ts';
export { renderTask, type RenderedTask, type RenderTaskArgs, type TemplateSource } from './task/render-task.ts';
export { defaultMonitor, perTaskMonitor, type MonitorFactory, type MonitorHandle } from './task/monitor.ts';
export { renderTemplate, taskEnvironment, executorEnv, parseEnvList, parseEnvFile } from './render/index.ts';
export { RenderError, isRenderError } from './render/errors.ts';
export { EnvParseError, isEnvParseError } from './render/env-list.ts';
export { ExecutorEnvError, isExecutorEnvError } from './render/executor-env.ts';
export { buildManifest, type Manifest } from './manifest/index.ts';
export { ManifestError, isManifestError } from './manifest/errors.ts';
export { Kubectl, type KubectlOptions } from './kubectl/runner.ts';
export { KubectlError, isKubectlError } from './kubectl/errors.ts';
export { classify } from './kubectl/classify.ts';
export type { KubectlResult, ObjectRef, KubeObject } from './kubectl/types.ts';
export { watchObject, type WatchEvent, type ObjectWatcher } from './watch/object-watcher.ts';
export { TaskFleet, createFleet, LABEL_EXECUTOR_ID, type FleetOptions } from './fleet/fleet.ts';
export type { Engine, FleetLaunchRequest, FleetStatusUpdate, FleetTaskSnapshot, FleetTransitionRequest, FleetTransitionResult } from './fleet/types.ts';
export { Informer, type InformerEvent, type InformerOptions } from './watch/informer.ts';
export { BridgeClient, spawnBridge, type BridgeClientOptions, type SpawnBridgeOptions } from './bridge/client.ts';
export { serveBridge } from './bridge/server.ts';
export { BridgeError, isBridgeError } from './bridge/errors.ts';
export type { Observation } from './task/status-tracker.ts';
export { systemClock, sleepOrReject, sleepUntilAborted, type Clock, type Sleep } from './clock.ts';
