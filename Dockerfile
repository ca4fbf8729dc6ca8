# syntax=docker/dockerfile:1.7
# civic: the one Dockerfile for every component's image; the build context is the repository root.
# deploy/images.sh (`make images`) builds all six, passing the three build arguments from its table:
#   docker build --build-arg COMPONENT=savings --build-arg COMPONENT_DIR=services/savings \
#                --build-arg PORT=8101 -t civic/savings:dev .
#   COMPONENT       gateway, savings, property, safeguarding, comms or web (the package is civic-$COMPONENT,
#                   and `python -m civic.serve $COMPONENT` runs it)
#   COMPONENT_DIR   the workspace member's folder, which holds civic_$COMPONENT (gateway, services/<name>, web)
#   PORT            the port it listens on (CIVIC_HTTP_PORT, EXPOSE)
# Base images pinned by exact version; the release pipeline pins them by digest as well.

# ---- build: resolve from uv.lock only, no dev tools and no embedded servers (local-runtime) ----
FROM python:3.11.14-slim-bookworm AS build
ARG COMPONENT
ARG COMPONENT_DIR
ARG PORT
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/opt/civic \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# A missing build argument stops the build here, naming it, rather than at a COPY of "/civic_".
RUN : "${COMPONENT:?set --build-arg COMPONENT}" "${COMPONENT_DIR:?set --build-arg COMPONENT_DIR}" "${PORT:?set --build-arg PORT}" \
 && pip install --no-cache-dir uv==0.13.9
WORKDIR /src
# Third-party dependencies first: this layer changes only when uv.lock does.
COPY pyproject.toml uv.lock ./
COPY runtime/pyproject.toml runtime/
COPY contracts/pyproject.toml contracts/
COPY gateway/pyproject.toml gateway/
COPY services/savings/pyproject.toml services/savings/
COPY services/property/pyproject.toml services/property/
COPY services/safeguarding/pyproject.toml services/safeguarding/
COPY services/comms/pyproject.toml services/comms/
COPY web/pyproject.toml web/
RUN uv sync --frozen --no-dev --no-default-groups --no-install-workspace --package "civic-${COMPONENT}"
# Then our code, installed as ordinary (non-editable) packages so /src is not needed at run time.
COPY runtime/civic runtime/civic
COPY contracts/civic_contracts contracts/civic_contracts
COPY ${COMPONENT_DIR}/civic_${COMPONENT} ${COMPONENT_DIR}/civic_${COMPONENT}
RUN uv sync --frozen --no-dev --no-default-groups --no-editable --package "civic-${COMPONENT}"

# ---- run: the interpreter and the virtual environment, nothing else ----
FROM python:3.11.14-slim-bookworm
ARG COMPONENT
ARG PORT
LABEL org.opencontainers.image.title="civic-${COMPONENT}" \
      org.opencontainers.image.description="civic: a unitary council transformation programme platform"
RUN groupadd --system --gid 10001 civic \
 && useradd --system --uid 10001 --gid civic --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin civic
COPY --from=build /opt/civic /opt/civic
ENV PATH=/opt/civic/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CIVIC_COMPONENT=${COMPONENT} \
    CIVIC_HTTP_HOST=0.0.0.0 \
    CIVIC_HTTP_PORT=${PORT} \
    CIVIC_STATE_DIR=/var/lib/civic
USER 10001:10001
EXPOSE ${PORT}
# Runs `python -m civic.serve <component>`: the component given as the container's argument (the
# Deployments pass it), else the one this image was built for. The shell only chooses the argument and
# then execs Python, so SIGTERM goes straight to Python, which drains requests and consumers.
# (Exec form cannot read a build argument, hence the shell.)
STOPSIGNAL SIGTERM
ENTRYPOINT ["/bin/sh", "-c", "[ \"$#\" -gt 0 ] || set -- \"$CIVIC_COMPONENT\"; exec python -m civic.serve \"$@\"", "civic.serve"]
