#!/usr/bin/env bash
# Create the Secrets civic's manifests refer to, with fresh random values, straight into the cluster.
# No value is ever written to the repository. Existing Secrets are left as they are (re-running is
# safe); rotate one by deleting it first, see docs/operations.md.
#
#   deploy/k8s/secrets.sh --overlay local       # also loads the local token key's JWKS (civic token)
#   CIVIC_OIDC_CLIENT_SECRET_FILE=... CIVIC_MONGODB_BACKUP_CREDENTIALS_DIR=... CIVIC_COMMS_SMTP_PASSWORD_FILE=... \
#     deploy/k8s/secrets.sh --overlay production  # or create the same names from the council's vault
#   deploy/k8s/secrets.sh --list                # the Secret names and keys, nothing created
#
# Kafka passwords and the Kafka CA are not here: the Strimzi operators write them (KafkaUser <service>,
# civic-kafka-cluster-ca-cert). Nor are MongoDB's member keyfile, TLS certificates and encryption key: the
# Percona operator writes them (mongodb-<service>-ssl holds the CA the services trust).
set -euo pipefail

SERVICES=(savings property safeguarding comms)
NAMESPACE=civic
OVERLAY=""
LIST=0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --overlay) OVERLAY="$2"; shift 2 ;;
    --namespace) NAMESPACE="$2"; shift 2 ;;
    --list) LIST=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# The service's connection string: the operator's replica-set Service (its TLS certificate names it), TLS
# checked against the CA the Deployment mounts from mongodb-<service>-ssl, the user of the service's own database.
mongodb_url() {  # mongodb_url SERVICE PASSWORD
  echo "mongodb://civic_$1:$2@mongodb-$1-rs0.$NAMESPACE.svc.cluster.local:27017/civic_$1?replicaSet=rs0&authSource=civic_$1&tls=true&tlsCAFile=/etc/civic/mongodb-ca/ca.crt"
}
# The Percona operator's system users (secrets.users in each PerconaServerMongoDB).
SYSTEM_USERS=(BACKUP:backup DATABASE_ADMIN:databaseAdmin CLUSTER_ADMIN:clusterAdmin CLUSTER_MONITOR:clusterMonitor USER_ADMIN:userAdmin)

if [[ $LIST == 1 ]]; then
  for s in "${SERVICES[@]}"; do
    echo "mongodb-$s-users    $(for u in "${SYSTEM_USERS[@]}"; do printf 'MONGODB_%s_USER MONGODB_%s_PASSWORD ' "${u%%:*}" "${u%%:*}"; done)(the operator's system users)"
    echo "$s-mongodb          username password url (the $s service's own user; url is MONGODB_URL: $(mongodb_url "$s" '<password>'))"
    echo "mongodb-$s-backup-s3 AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY (production: object storage for $s's backups, its prefix only)"
  done
  echo "web-session         secret              (signs the officers' session cookies)"
  echo "web-oidc            client-secret       (production: the web app's OpenID Connect client secret)"
  echo "comms-smtp          password            (production: comms' login to the council's SMTP relay, for the councillor briefing)"
  echo "web-local-signing-key signing-key.pem kid jwks.json (local only: the web signs demo officers in with civic token's key)"
  echo "civic-jwks (ConfigMap, local only)  jwks.json  (public key that signs civic token's tokens)"
  exit 0
fi

[[ "$OVERLAY" == local || "$OVERLAY" == production ]] || { echo "--overlay local|production is required" >&2; exit 2; }
command -v kubectl >/dev/null || { echo "kubectl is required" >&2; exit 1; }
command -v openssl >/dev/null || { echo "openssl is required" >&2; exit 1; }

kubectl get namespace "$NAMESPACE" >/dev/null 2>&1 || kubectl apply -f "$ROOT/deploy/k8s/base/namespace.yaml"

exists() { kubectl -n "$NAMESPACE" get secret "$1" >/dev/null 2>&1; }

# Values go through files in a private temporary directory, never on a command line (ps would show them).
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
chmod 700 "$WORK"

create() {  # create NAME KEY=VALUE...
  local name="$1"; shift
  if exists "$name"; then echo "secret/$name exists, kept"; return; fi
  local args=() dir="$WORK/$name"
  mkdir -p "$dir"
  for pair in "$@"; do
    printf '%s' "${pair#*=}" > "$dir/${pair%%=*}"
    args+=(--from-file="${pair%%=*}=$dir/${pair%%=*}")
  done
  kubectl -n "$NAMESPACE" create secret generic "$name" "${args[@]}" --dry-run=client -o yaml \
    | kubectl label --local -f - app.kubernetes.io/part-of=civic -o yaml \
    | kubectl apply -f - >/dev/null
  rm -rf "$dir"
  echo "secret/$name created"
}

# A Secret issued outside civic, read from the file an environment variable names, so the value is on no
# command line; without the variable, say what is missing and go on.
create_from_file() {  # create_from_file NAME KEY VARIABLE WHAT
  local name="$1" key="$2" variable="$3" what="$4"
  if exists "$name"; then
    echo "secret/$name exists, kept"
  elif [[ -n "${!variable:-}" ]]; then
    create "$name" "$key=$(cat "${!variable}")"
  else
    echo "secret/$name not created: set $variable to the file holding $what" >&2
  fi
}

for s in "${SERVICES[@]}"; do
  users=()
  for u in "${SYSTEM_USERS[@]}"; do
    users+=("MONGODB_${u%%:*}_USER=${u#*:}" "MONGODB_${u%%:*}_PASSWORD=$(openssl rand -hex 24)")
  done
  create "mongodb-$s-users" "${users[@]}"
  password="$(openssl rand -hex 24)"  # hex: safe in a URL without escaping
  create "$s-mongodb" "username=civic_$s" "password=$password" "url=$(mongodb_url "$s" "$password")"
done

create web-session "secret=$(openssl rand -hex 32)"

if [[ "$OVERLAY" == production ]]; then
  # Object-storage keys for each database's backups, issued by the council's storage provider and limited to
  # that database's prefix (overlays/production/mongodb-backups.yaml): files <service>/AWS_ACCESS_KEY_ID and
  # <service>/AWS_SECRET_ACCESS_KEY under CIVIC_MONGODB_BACKUP_CREDENTIALS_DIR.
  for s in "${SERVICES[@]}"; do
    dir="${CIVIC_MONGODB_BACKUP_CREDENTIALS_DIR:-}/$s"
    if exists "mongodb-$s-backup-s3"; then
      echo "secret/mongodb-$s-backup-s3 exists, kept"
    elif [[ -n "${CIVIC_MONGODB_BACKUP_CREDENTIALS_DIR:-}" && -r "$dir/AWS_ACCESS_KEY_ID" && -r "$dir/AWS_SECRET_ACCESS_KEY" ]]; then
      create "mongodb-$s-backup-s3" "AWS_ACCESS_KEY_ID=$(cat "$dir/AWS_ACCESS_KEY_ID")" \
        "AWS_SECRET_ACCESS_KEY=$(cat "$dir/AWS_SECRET_ACCESS_KEY")"
    else
      echo "secret/mongodb-$s-backup-s3 not created: put $s/AWS_ACCESS_KEY_ID and $s/AWS_SECRET_ACCESS_KEY under CIVIC_MONGODB_BACKUP_CREDENTIALS_DIR" >&2
    fi
  done
  # The client secret the council's identity provider issued for the web app (registered with the redirect
  # URI <CIVIC_WEB_PUBLIC_URL>/sign-in/callback).
  create_from_file web-oidc client-secret CIVIC_OIDC_CLIENT_SECRET_FILE "the web app's client secret"
  # comms' login to the council's SMTP relay (overlays/production/comms-mail.yaml).
  create_from_file comms-smtp password CIVIC_COMMS_SMTP_PASSWORD_FILE "comms' SMTP relay password"
fi

if [[ "$OVERLAY" == local ]]; then
  # The same key `civic token` signs with (created in .civic/ if it is not there yet).
  state_dir="${CIVIC_STATE_DIR:-$ROOT/.civic}"
  "$ROOT/.venv/bin/python" -c "import sys; from pathlib import Path; from civic.auth import LocalSigningKey; LocalSigningKey(Path(sys.argv[1])).ensure()" "$state_dir"
  kubectl -n "$NAMESPACE" create configmap civic-jwks --from-file=jwks.json="$state_dir/jwks.json" \
    --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  echo "configmap/civic-jwks loaded from $state_dir/jwks.json"
  # the web app mints the demo officers' tokens with that key (local sign-in; never in production)
  if exists web-local-signing-key; then
    echo "secret/web-local-signing-key exists, kept"
  else
    kubectl -n "$NAMESPACE" create secret generic web-local-signing-key \
      --from-file=signing-key.pem="$state_dir/signing-key.pem" --from-file=kid="$state_dir/kid" \
      --from-file=jwks.json="$state_dir/jwks.json" --dry-run=client -o yaml \
      | kubectl label --local -f - app.kubernetes.io/part-of=civic -o yaml | kubectl apply -f - >/dev/null
    echo "secret/web-local-signing-key created from $state_dir"
  fi
fi
