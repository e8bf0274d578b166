# invent-emulator as a CI sidecar: `docker run -p 127.0.0.1:4010:4010 IMAGE`.
# Classic-builder syntax only (no BuildKit features): some engines in CI still lack BuildKit.
ARG PYTHON_IMAGE=python:3.12-slim

# --- build: the wheel, installed into a virtualenv the runtime stage copies as a whole ---
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY emulator ./emulator
COPY scenarios ./scenarios
COPY fixtures ./fixtures
# The venv is made by the same base image's Python as the runtime stage, so its interpreter
# link stays valid after the copy; pip leaves the venv once the wheel is in (it is not needed
# at run time).
RUN python3 -m venv /opt/build-tools \
 && /opt/build-tools/bin/pip install --no-cache-dir --disable-pip-version-check "build>=1.2" \
 && /opt/build-tools/bin/python -m build --wheel --outdir /dist . \
 && python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check /dist/*.whl \
 && /opt/venv/bin/pip uninstall --yes --disable-pip-version-check pip \
 && find /opt/venv -name '*.pyc' -path '*/pip/*' -delete

# --- runtime ---
FROM ${PYTHON_IMAGE}
# The version is written once, in emulator/support/version.py: the release workflow reads it
# from there and passes it in (`--build-arg VERSION=...`); a local build says it is unreleased.
ARG VERSION=unreleased
LABEL org.opencontainers.image.title="invent-emulator" \
      org.opencontainers.image.description="A local, in-memory emulator of the Invent Broadcasts HTTP API for tests and CI" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/invent-emulator/invent-emulator"
COPY --from=build /opt/venv /opt/venv
# Inside the container the emulator listens on every interface (the command's own default is
# loopback); INVENT_EMULATOR_HOST still overrides it. No scenario set: the bundled `default`.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    INVENT_EMULATOR_HOST=0.0.0.0 \
    INVENT_EMULATOR_PORT=4010
# The state file's folder, owned by the image's user: a named volume mounted here takes that
# owner, so `-v invent-state:/state -e INVENT_EMULATOR_STATE_FILE=/state/state.json` can save.
RUN mkdir /state && chown 10001:10001 /state
# Mount scenario files here: `-v ./my-scenarios:/scenarios:ro -e INVENT_EMULATOR_SCENARIO=/scenarios/x.yaml`.
WORKDIR /scenarios
USER 10001:10001
EXPOSE 4010
# No curl in the image: the emulator's own standard-library probe. A short interval so a CI job
# waits about a second (--start-interval would be better, but older engines refuse it).
HEALTHCHECK --interval=1s --timeout=3s --start-period=10s --retries=3 \
  CMD ["invent-emulator", "health", "--timeout", "2"]
ENTRYPOINT ["invent-emulator", "serve"]
