/** What the request stages share: the store, the served types, the clock, the Service IP allocator. */
import type { ResourceRegistry } from '../registry/resources.ts';
import type { Store } from '../storage/store.ts';

export interface SandboxState {
  store: Store;
  registry: ResourceRegistry;
  now: () => Date;
  /** Next free Service ClusterIP (10.96.0.0/12 like a kubeadm cluster). */
  allocateClusterIP: () => string;
}
