#!/usr/bin/env bash
# Installs the programs the unit layer proves generated certificates with: openssl, and Debian's etcd,
# etcdctl and kubectl (test/generate-real.test.mjs); Debian's prometheus for promtool, which validates
# `kube-pki expiration -o prometheus` (test/cli-expiration-formats.test.mjs); and pre-commit (PyPI), which runs
# the repository's hook (test/pre-commit.test.mjs). Only what is missing; needs root for apt-get (as in
# CI). `npm test` runs it first, so the README's one test command works on a fresh machine.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -o DPkg::Lock::Timeout=600)

need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v etcdctl >/dev/null 2>&1 || need+=(etcd-client)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
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
if ! command -v pre-commit >/dev/null 2>&1; then
  command -v pip3 >/dev/null 2>&1 || { update; "${APT[@]}" install -y --no-install-recommends python3-pip python3-venv; }
  pip3 install pre-commit 2>/dev/null || pip3 install --break-system-packages pre-commit
fi
echo "test tools: openssl, etcd, etcdctl, kubectl, promtool and pre-commit present"
