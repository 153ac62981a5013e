# beleg as a container image (README, "Run it in a container").
#
#   docker build -t beleg .
#   docker run -d --name beleg -p 8080:8080 -v beleg-data:/data \
#     -e BELEG_API_KEYS='<write key, 16+ characters>:write' beleg
#
# The server is the container's main process (PID 1): `docker stop` sends it SIGTERM, it stops
# taking connections, gives open requests 5 s, closes the stores and exits 0.
# tests/container-start.test.ts starts beleg with this file's CMD and runtime ENV, as PID 1 of a
# new PID namespace, and checks exactly that.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: installs the production dependencies; better-sqlite3 compiles from source where no
# prebuilt binary can be downloaded, which needs python3, make and a C++ compiler.
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm 10 (Node 20's) ignores package.json's allowScripts; ONNXRUNTIME_NODE_INSTALL is
# onnxruntime-node's own switch that keeps its install script from downloading CUDA libraries
# (beleg runs on the CPU). node-gyp builds against the image's own Node headers instead of
# downloading them.
ENV ONNXRUNTIME_NODE_INSTALL=skip \
  npm_config_nodedir=/usr/local
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY assets ./assets
COPY migrations ./migrations

# ---- runtime: the same base without the toolchain, as the unprivileged user `node`.
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
COPY --from=build /app ./
RUN mkdir /data && chown node:node /data
ENV NODE_ENV=production \
  BELEG_DATA_DIR=/data \
  BELEG_HOST=0.0.0.0 \
  BELEG_PORT=8080
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.BELEG_PORT || 8080) + '/health').then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "bin/beleg.js", "serve"]
