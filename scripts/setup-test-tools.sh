#!/usr/bin/env bash
# Installs the programs the unit layer proves generated certificates with: openssl, and Debian's etcd,
# etcdctl and kubectl (test/generate-real.test.mjs). Only what is missing; needs root for apt-get (as in
# CI). `npm test` runs it first, so the README's one test command works on a fresh machine.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -o DPkg::Lock::Timeout=600)

need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
kubectl_dir=/opt/kube-pki-test-tools/kubernetes-client
updated=
update() { [ -n "$updated" ] || { "${APT[@]}" update; updated=1; }; }
if ! dpkg -s kubernetes-client >/dev/null 2>&1 && [ ! -x "$kubectl_dir/usr/bin/kubectl" ]; then
  if dpkg -S /usr/bin/kubectl >/dev/null 2>&1; then
    # /usr/bin/kubectl belongs to another package: unpack Debian's kubectl beside it instead.
    update
    (cd "$(mktemp -d)" && apt-get download kubernetes-client && mkdir -p "$kubectl_dir" && dpkg-deb -x kubernetes-client_*.deb "$kubectl_dir")
  else
    need+=(kubernetes-client)
  fi
fi
if [ ${#need[@]} -gt 0 ]; then
  update
  "${APT[@]}" install -y --no-install-recommends "${need[@]}"
fi
echo "test tools: openssl, etcd, etcdctl and kubectl present"
