# The gateway (broker, ingest, rules, HTTP API) as one container. docker-compose.yml runs
# it with InfluxDB and Grafana; docs/deploy.md says how.

# Production dependencies only. better-sqlite3 fetches its prebuilt binding or builds it
# (the full bookworm image has python3, make and g++ for that).
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    GW_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY contract ./contract
COPY gateway ./gateway
COPY broker ./broker
COPY rules ./rules
COPY contract ./contract
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 1883 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tsx runs the TypeScript as it is (a dependency, not a dev tool); no npx: nothing is fetched at start.
CMD ["node", "--import", "tsx", "gateway/server.ts"]
