// The kubelet's own client certificate is renewed by the kubelet, not by kubeadm. pkg/kubelet/certificate/kubelet.go
// (NewKubeletClientCertificateManager) keeps it in client-go's certificate store (util/certificate/certificate_store.go:
// kubelet-client-<timestamp>.pem, with kubelet-client-current.pem the symlink to the pair in use), and client-go's
// certificate manager (util/certificate/certificate_manager.go, nextRotationDeadline) asks for a new one by a CSR at
// 70-90% of the certificate's lifetime when rotation is on (KubeletConfiguration rotateCertificates, --rotate-certificates;
// kubeadm turns it on). kube-controller-manager's csrapproving controller approves the CSR and its csrsigning controller
// signs it with --cluster-signing-cert-file / --cluster-signing-key-file. kubeadm certs renew does not touch it
// (kubeadm's "Certificate Management with kubeadm": kubelet.conf points at the rotated certificate since v1.17).
import * as path from 'node:path';

const ROTATED = /^kubelet-client-(current|\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})\.pem$/;

/** Whether `file` is the kubelet's rotated client certificate (kubelet-client-current.pem or a dated pair). */
export function isRotatedKubeletClient(file: string): boolean {
  return ROTATED.test(path.basename(file));
}

/** What to do about the kubelet's rotated client certificate that expires soon (`expired`: has expired). */
export function kubeletRotationAdvice(expired: boolean): string {
  const renewedBy =
    "it is the kubelet's rotated client certificate, renewed by the kubelet itself (rotateCertificates: true in its config, or --rotate-certificates) through a CSR that kube-controller-manager approves and signs, not by kubeadm certs renew";
  const check =
    "check the kubelet's logs (journalctl -u kubelet | grep -i certif), its CSRs (kubectl get csr: Pending means none approves them) and that kube-controller-manager runs with --cluster-signing-cert-file and --cluster-signing-key-file (kubeadm: the cluster CA)";
  return expired
    ? `${renewedBy}. Expired, it cannot authenticate the kubelet's request for a new one: ${check}, then re-bootstrap the kubelet (a new kubelet.conf from a control-plane node, kubeadm's "Kubelet client certificate rotation fails" steps) or re-issue it with the cluster CA (kube-pki generate --fix)`
    : `${renewedBy}. The kubelet asks for a new one at 70-90% of its lifetime, so one this close to expiry usually means rotation is failing: ${check}`;
}
