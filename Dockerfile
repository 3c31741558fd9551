# scim-bridge: the gateway alone (no benches, emulators or tests) on Node 22 LTS.
#
# NODE_VERSION pins the base image to one Node release; CI (.ci/run, scripts/test-on-node.sh) runs the test
# suite on exactly this version too, so the image runs what was tested. Raise both by changing it here.
# Stages: `toolchain` has the compilers; from it `build` compiles the TypeScript (dev dependencies) and
# `deps` installs the runtime dependencies with `npm ci --omit=dev`, building better-sqlite3's native addon
# and keeping only the addon; the final stage copies their results onto a clean image: no compiler,
# headers, sources or npm cache in it.
ARG NODE_VERSION=22.23.3

# What both build stages start from: compilers for better-sqlite3's native addon, and the lockfile.
FROM node:${NODE_VERSION}-bookworm-slim AS toolchain
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./

FROM toolchain AS build
# Compiling TypeScript needs no native addon: install scripts (better-sqlite3's build) are skipped here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.app.json ./
COPY src ./src
RUN npm run build:app

FROM toolchain AS deps
# better-sqlite3 compiles SQLite here (its npm package ships no binary); of that build only the addon is kept.
RUN JOBS=max npm ci --omit=dev --no-audit --no-fund \
 && (cd node_modules/better-sqlite3 \
     && find build -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} + \
     && find build/Release -mindepth 1 -maxdepth 1 ! -name better_sqlite3.node -exec rm -rf {} + \
     && rm -rf deps src binding.gyp) \
 && node -e "new (require('better-sqlite3'))(':memory:').close()"

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080 \
    SCIM_BRIDGE_DATA_DIR=/data \
    SCIM_BRIDGE_CONFIG=/app/config/gateway.yaml
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json LICENSE ./
COPY config ./config
COPY plugins ./plugins
RUN mkdir -p /data && chown node:node /data
# The image's unprivileged user (uid 1000); the gateway needs to write /data only.
USER node
VOLUME ["/data"]
EXPOSE 8080
# Healthy = ready: GET /readyz (no authentication) answers 200 while the store answers and is migrated and
# every app has its credentials, 503 with a JSON reason otherwise. (An orchestrator that restarts on a failed
# probe should probe liveness, /healthz, instead: a database that is away is not cured by a restart.) The
# start period covers opening the store and loading plugins. /metrics and /admin are on admin.listen
# (127.0.0.1:9464 by default: set it to 0.0.0.0:9464 and publish the port to scrape from outside).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
