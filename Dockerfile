# syntax=docker/dockerfile:1
# Build a single executable with bun and ship it on a slim base. Compose (with a Tailscale sidecar): docker-compose.yml.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# Flags as scripts/build.ts COMPILE_FLAGS (split chunks: docs/benchmarks.md start-up).
# The commit shown by `rmirror --version` and /metrics: docker build --build-arg RMIRROR_COMMIT=$(git rev-parse --short HEAD) .
ARG RMIRROR_COMMIT=unknown
RUN node_modules/.bin/bun build src/main.ts --compile --splitting --minify-syntax --define "RMIRROR_BUILD_COMMIT=\"${RMIRROR_COMMIT}\"" --outfile /out/rmirror
# The agent executables the server hands out at /download/agent/<platform> (macOS arm64/x64,
# Windows x64, Linux x64/arm64), with dist/SHA256SUMS: RMIRROR_AGENT_DIR points at them.
RUN RMIRROR_COMMIT="${RMIRROR_COMMIT}" node_modules/.bin/bun scripts/build.ts && mkdir -p /out/agent && cp dist/rmirror-* dist/SHA256SUMS /out/agent/

FROM debian:bookworm-slim
# No font package: the fonts for typed text (PDF and PNG) are inside the executable (fonts/).
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /data --uid 10001 rmirror
COPY --from=build /out/rmirror /usr/local/bin/rmirror
COPY --from=build /out/agent /opt/rmirror/agent
USER rmirror
WORKDIR /data
VOLUME ["/data"]
ENV RMIRROR_DATA_DIR=/data RMIRROR_HOST=0.0.0.0 RMIRROR_PORT=8080 RMIRROR_AGENT_DIR=/opt/rmirror/agent
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["rmirror", "healthcheck"]
ENTRYPOINT ["rmirror"]
CMD ["serve"]
