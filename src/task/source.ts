/**
 * Where a KubectlTask comes from, and what that tells about it: made from its template, it can be
 * rendered (and launched); made by id, it is found by its task-id label. Either way it can be
 * located (the live Task and what the task owns) and scoped for a kill.
 */
import { getObject } from '../kubectl/commands.ts';
import { contextNamespace } from '../kubectl/config.ts';
import type { Kubectl } from '../kubectl/runner.ts';
import type { KubeObject } from '../kubectl/types.ts';
import { sanitizeLabelValue } from '../manifest/index.ts';
import { describeLocator, effectiveNamespace, findTask, type TaskLocator } from './by-id.ts';
import { TaskError, describeRef } from './errors.ts';
import { scopeOfRendered, scopeOfTask, type OwnerScope, type TaskTarget } from './ownership.ts';
import { renderTask, type RenderedTask } from './render-task.ts';
import type { KubectlTaskOptions } from './task-options.ts';

type Origin = { readonly kind: 'template'; readonly options: KubectlTaskOptions } | { readonly kind: 'by-id'; readonly namespace: string | undefined };

export class TaskSource {
  private contextNamespace: Promise<string | undefined> | undefined;

  private constructor(
    private readonly id: string,
    private readonly kubectl: Kubectl,
    private readonly origin: Origin,
  ) {}

  static template(id: string, options: KubectlTaskOptions): TaskSource {
    return new TaskSource(id, options.kubectl, { kind: 'template', options });
  }

  static byId(id: string, kubectl: Kubectl, namespace: string | undefined): TaskSource {
    return new TaskSource(id, kubectl, { kind: 'by-id', namespace });
  }

  get hasTemplate(): boolean {
    return this.origin.kind === 'template';
  }

  /** Validate every document server-side before applying any (KubectlTaskOptions.dryRunFirst). */
  get dryRunFirst(): boolean {
    return this.origin.kind === 'template' && (this.origin.options.dryRunFirst ?? true);
  }

  /** Renders without changing the cluster (it may read the kubeconfig's namespace); NoTemplate by id. */
  async render(): Promise<RenderedTask> {
    const origin = this.origin;
    if (origin.kind === 'by-id') throw this.error('NoTemplate', `task ${this.id} was found by id: it has no template to render`);
    const options = origin.options;
    // kubectl's precedence: -n (the option, or the runner's namespace) over the kubeconfig context.
    const explicit = options.namespace?.explicit ?? options.kubectl.connection.namespace;
    let context = options.namespace?.context;
    if (explicit === undefined && context === undefined) {
      this.contextNamespace ??= contextNamespace(options.kubectl);
      context = await this.contextNamespace;
    }
    return renderTask({
      ...options,
      taskId: this.id,
      namespace: { ...(explicit === undefined ? {} : { explicit }), ...(context === undefined ? {} : { context }) },
    });
  }

  /** The live Task and what it owns: by rendering the template, or by the task-id label. TaskGone when absent. */
  async locate(): Promise<{ target: TaskTarget; object: KubeObject }> {
    const { kubectl } = this;
    if (this.origin.kind === 'template') {
      const rendered = await this.render();
      await kubectl.ensureVersion();
      const object = await getObject(kubectl, rendered.manifest.taskRef);
      if (object === undefined) throw this.error('TaskGone', `${describeRef(rendered.manifest.taskRef)} not found: launch it first`);
      return { target: scopeOfRendered(rendered, this.id), object };
    }
    await kubectl.ensureVersion();
    const locator: TaskLocator = { kind: 'task-id', taskId: this.id };
    const object = await findTask(kubectl, locator, this.origin.namespace);
    if (object === undefined) {
      const namespace = await effectiveNamespace(kubectl, this.origin.namespace);
      throw this.error('TaskGone', `task ${this.id}: no Task with ${describeLocator(locator)} in namespace ${namespace}`);
    }
    return { target: scopeOfTask(object, this.id), object };
  }

  /** What a kill covers when nothing was launched or attached: the template's objects, or the id's. */
  async scope(): Promise<OwnerScope> {
    if (this.origin.kind === 'template') return scopeOfRendered(await this.render(), this.id);
    const namespace = await effectiveNamespace(this.kubectl, this.origin.namespace);
    return { taskId: this.id, label: sanitizeLabelValue(this.id), namespace, declared: [] };
  }

  private error(reason: 'NoTemplate' | 'TaskGone', message: string): TaskError {
    return new TaskError({ reason, taskId: this.id, message });
  }
}
