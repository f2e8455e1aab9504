# One image for the worker and the Slack app; the command (worker, slack, migrate) picks the process.
# RH-A builds and tests HyperShift in this image, with the Go its go.mod asks for: GO_VERSION is recorded in
# deploy/go-version by `deploy/go-version.sh <HyperShift clone>` (Debian's own Go is far older).
ARG GO_VERSION=1.26.3

FROM golang:${GO_VERSION}-bookworm AS go

FROM node:20-bookworm-slim
ARG GO_VERSION
# git: clones and worktrees; make: `make verify`; bubblewrap: the sandbox RH-A's commands run in;
# tini: PID 1 that forwards SIGTERM to the process and reaps the commands it spawned.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git make bubblewrap tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=go /usr/local/go /usr/local/go
# GOTOOLCHAIN=local: builds use this Go and never download another one.
ENV PATH=/usr/local/go/bin:$PATH GOTOOLCHAIN=local NODE_ENV=production
RUN go version | grep -q "go${GO_VERSION} " || { echo "expected Go ${GO_VERSION}, got: $(go version)" >&2; exit 1; }

# A fixed non-root user; OpenShift runs the image with an arbitrary UID in group 0, so what the process
# writes is group 0 and group-writable.
RUN useradd --uid 10001 --gid 0 --home-dir /home/sitroom --create-home --shell /usr/sbin/nologin sitroom
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force
COPY . .
# State lives under /var/lib/sitroom (a volume in Compose and Kubernetes): the target checkout and the
# product's data folder (worktrees), which the code finds at /app/.data.
RUN mkdir -p /var/lib/sitroom/data \
 && ln -s /var/lib/sitroom/data /app/.data \
 && chown -R 10001:0 /var/lib/sitroom /home/sitroom \
 && chmod -R g=u /var/lib/sitroom /home/sitroom
USER 10001
ENV HOME=/home/sitroom TARGET_REPO=/var/lib/sitroom/target

# The CLI runs as PID 1's only child under tini, with tsx as its loader (what bin/sitroom.js does too), so
# Kubernetes' and Compose's SIGTERM reaches it and starts the worker's drain.
ENTRYPOINT ["tini", "--", "node", "--import", "tsx", "src/cli.ts"]
CMD ["--help"]
