#!/usr/bin/env bash
# The per-user checks of a kubeconfig done the classic way, one openssl command after another, for the users
# user-FIRST .. user-(FIRST+COUNT-1) of a kubeconfig laid out as kubectl writes it (bench/inputs.mjs): the
# client certificate, key and cluster CA pulled out with awk and base64, then expiry (x509 -checkend),
# subject, SANs and extended key usage (x509 -ext), the chain (verify -CAfile) and the key pair (the public
# keys compared). Prints one line per problem found. Usage: openssl-check.sh KUBECONFIG FIRST COUNT
set -euo pipefail
kc="$1"
first="$2"
count="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

user_field() { # user_field USER KEY: the value of KEY in the users entry named USER
  awk -v name="$1" -v key="$2:" '
    /^[a-z]/ { section = $1 }
    section == "users:" && $1 == "-" && $2 == "name:" { current = $3 }
    section == "users:" && current == name && $1 == key { print $2; exit }' "$kc"
}
context_cluster() { # context_cluster USER: the cluster of the context that uses USER
  awk -v user="$1" '
    /^[a-z]/ { section = $1 }
    section == "contexts:" && $1 == "-" { cluster = "" }
    section == "contexts:" && $1 == "cluster:" { cluster = $2 }
    section == "contexts:" && $1 == "user:" && $2 == user { print cluster; exit }' "$kc"
}
cluster_ca() { # cluster_ca CLUSTER: its certificate-authority-data
  awk -v name="$1" '
    /^[a-z]/ { section = $1 }
    section == "clusters:" && $1 == "-" { ca = "" }
    section == "clusters:" && $1 == "certificate-authority-data:" { ca = $2 }
    section == "clusters:" && $1 == "name:" && $2 == name { print ca; exit }' "$kc"
}

for ((i = first; i < first + count; i++)); do
  u="user-$i"
  user_field "$u" client-certificate-data | base64 -d >"$work/cert.pem"
  user_field "$u" client-key-data | base64 -d >"$work/key.pem"
  cluster_ca "$(context_cluster "$u")" | base64 -d >"$work/ca.pem"
  openssl x509 -in "$work/cert.pem" -noout -checkend 0 >/dev/null || echo "$u: the certificate has expired"
  openssl x509 -in "$work/cert.pem" -noout -subject -ext subjectAltName,extendedKeyUsage >"$work/info" 2>/dev/null
  grep -q "TLS Web Client Authentication" "$work/info" || echo "$u: no clientAuth extended key usage"
  grep -q "O *= *system:master\b" "$work/info" && echo "$u: O=system:master (system:masters?)"
  openssl verify -CAfile "$work/ca.pem" "$work/cert.pem" >/dev/null 2>&1 || echo "$u: does not verify against its cluster's CA"
  cert_key="$(openssl x509 -in "$work/cert.pem" -noout -pubkey | openssl sha256)"
  key_key="$(openssl pkey -in "$work/key.pem" -pubout | openssl sha256)"
  [ "$cert_key" = "$key_key" ] || echo "$u: the key is not the certificate's"
done
