# syntax=docker/dockerfile:1
# The sync daemon's image: `docker build -t reflag-sync .`, then run with the flag files mounted at
# /config (a git-sync volume or a ConfigMap) and REFLAG_API_KEY from a secret.

# Build stage: compile TypeScript with the dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled code only.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
# The image's `node` user, by number, so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 9090
# Alive = /healthz answers; node's own fetch, so the image needs no curl or wget.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9090/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop, Kubernetes) stops after the request in flight, within 10 s.
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["watch", "-f", "/config", "--listen", ":9090"]
