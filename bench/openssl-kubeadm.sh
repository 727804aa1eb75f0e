#!/usr/bin/env bash
# The kubeadm certificate set made the classic way, one openssl command after another: three CAs,
# seven leaf certificates, the service account key pair and five kubeconfig client certificates
# (16 key pairs), as `kube-pki new-control-plane` makes them. Usage: openssl-kubeadm.sh OUTDIR [rsa|ec]
set -euo pipefail
out="$1"
alg="${2:-rsa}"
pki="$out/etc/kubernetes/pki"
mkdir -p "$pki/etcd" "$out/etc/kubernetes/kubeconfig-certs"
node=cp1
adv=10.0.0.9

key() { # key FILE
  if [ "$alg" = rsa ]; then openssl genrsa -out "$1" 2048 2>/dev/null; else openssl ecparam -name prime256v1 -genkey -noout -out "$1"; fi
  chmod 600 "$1"
}
ca() { # ca NAME CN
  key "$pki/$1.key"
  openssl req -x509 -new -key "$pki/$1.key" -subj "/CN=$2" -days 3650 -out "$pki/$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign" \
    -addext "subjectAltName=DNS:$2" 2>/dev/null
}
leaf() { # leaf DIR NAME CA SUBJ EKU [SAN]
  local dir="$1" name="$2" ca="$3" subj="$4" eku="$5" san="${6:-}"
  key "$dir/$name.key"
  local ext
  ext=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$eku"
    [ -n "$san" ] && echo "subjectAltName=$san"
  } >"$ext"
  openssl req -new -key "$dir/$name.key" -subj "$subj" 2>/dev/null |
    openssl x509 -req -CA "$pki/$ca.crt" -CAkey "$pki/$ca.key" -CAcreateserial -days 365 -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$ext"
}

ca ca kubernetes
ca front-proxy-ca front-proxy-ca
ca etcd/ca etcd-ca
leaf "$pki" apiserver ca "/CN=kube-apiserver" serverAuth \
  "DNS:$node,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1,IP:$adv"
leaf "$pki" apiserver-kubelet-client ca "/O=kubeadm:cluster-admins/CN=kube-apiserver-kubelet-client" clientAuth
leaf "$pki" front-proxy-client front-proxy-ca "/CN=front-proxy-client" clientAuth
leaf "$pki" etcd/server etcd/ca "/CN=$node" serverAuth,clientAuth "DNS:$node,DNS:localhost,IP:$adv,IP:127.0.0.1,IP:::1"
leaf "$pki" etcd/peer etcd/ca "/CN=$node" serverAuth,clientAuth "DNS:$node,DNS:localhost,IP:$adv,IP:127.0.0.1,IP:::1"
leaf "$pki" etcd/healthcheck-client etcd/ca "/CN=kube-etcd-healthcheck-client" clientAuth
leaf "$pki" apiserver-etcd-client etcd/ca "/CN=kube-apiserver-etcd-client" clientAuth
key "$pki/sa.key"
openssl pkey -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
kc="$out/etc/kubernetes/kubeconfig-certs"
leaf "$kc" admin ca "/O=kubeadm:cluster-admins/CN=kubernetes-admin" clientAuth
leaf "$kc" super-admin ca "/O=system:masters/CN=kubernetes-super-admin" clientAuth
leaf "$kc" controller-manager ca "/CN=system:kube-controller-manager" clientAuth
leaf "$kc" scheduler ca "/CN=system:kube-scheduler" clientAuth
leaf "$kc" kubelet ca "/O=system:nodes/CN=system:node:$node" clientAuth
