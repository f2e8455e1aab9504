# One image for the worker and the Slack app; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# git and go let RH-A work in target repositories (worktrees, make verify, go test).
RUN apt-get update && apt-get install -y --no-install-recommends git make golang-go ca-certificates && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ENTRYPOINT ["node", "bin/sitroom.js"]
