#!/bin/sh
# The pre-commit hook (.pre-commit-hooks.yaml, language: script): `kube-pki check --changed` over the files
# pre-commit passes (the staged ones its `files` pattern matches). The repository is judged whole, from its root
# where pre-commit runs hooks (a kubeconfig needs the certificates it references, a manifest the CA beside it),
# and only the findings in the staged files, in the documents that read a staged certificate or key, and elsewhere
# those that point at a staged file are reported (not an error committed earlier elsewhere); an error fails the
# commit. Arguments given in .pre-commit-config.yaml (`args: [--root, nodes/cp1]`) come first.
#
# The CLI: $KUBE_PKI_CLI (a dist/cli.js); else the bundle of this checkout when it is built; else `kube-pki` on the
# PATH. Nothing is fetched from a registry by name: without one of these the hook fails and says how to install it.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${KUBE_PKI_CLI:-}" ]; then exec node "$KUBE_PKI_CLI" check --changed "$@"; fi
if [ -f "$here/dist/cli.js" ]; then exec node "$here/dist/cli.js" check --changed "$@"; fi
if command -v kube-pki >/dev/null 2>&1; then exec kube-pki check --changed "$@"; fi
echo "kube-pki: no CLI found: install it (from a clone of kube-pki: npm ci && npm pack && npm install -g ./kube-pki-*.tgz) or set KUBE_PKI_CLI to a dist/cli.js" >&2
exit 2
