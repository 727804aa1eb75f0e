// The cluster model: what the workspace's units say about the cluster, for the checks, generation, the inventory
// and the hovers. catalog.ts is what kube-pki knows about Kubernetes' components (one edit adds a flag);
// query.ts how the model reads the workspace (a check's context, or Engine.cluster); relations.ts who talks to
// whom (the apiserver a kubeconfig dials, the nearest etcd); roles.ts a kubeconfig's role; usage.ts and
// keyPairs.ts what a certificate reference is used for and the key beside it; objects.ts and caBundleWriters.ts
// how Kubernetes objects relate (the Secret serving a Service, what writes a caBundle); knownNames.ts and
// nearMiss.ts the user and group names Kubernetes and kubeadm define; chains.ts and net.ts verification and
// addresses; kubeadm.ts and distro.ts what kubeadm's and k3s/RKE2's configurations ask of the certificates,
// kind.ts what a kind cluster's certificate holds; adminGroup.ts which group admin.conf is issued in for its
// kubeadm release; kubeletRotation.ts the kubelet's self-renewed client certificate.
export * from './catalog';
export * from './query';
export * from './relations';
export * from './chains';
export * from './net';
export * from './roles';
export * from './usage';
export * from './keyPairs';
export * from './knownNames';
export * from './nearMiss';
export * from './objects';
export * from './caBundleWriters';
export * from './kubeadm';
export * from './distro';
export * from './kind';
export * from './adminGroup';
export * from './kubeletRotation';
