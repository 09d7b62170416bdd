# syntax=docker/dockerfile:1
# First draft (issue 7 hardens it): build a single executable with bun, ship it on a slim base.

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN node_modules/.bin/bun build src/main.ts --compile --outfile /out/rmirror

FROM debian:bookworm-slim
RUN useradd --system --create-home --home-dir /data --uid 10001 rmirror
COPY --from=build /out/rmirror /usr/local/bin/rmirror
USER rmirror
WORKDIR /data
VOLUME ["/data"]
ENV RMIRROR_DATA_DIR=/data RMIRROR_HOST=0.0.0.0 RMIRROR_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["rmirror", "healthcheck"]
ENTRYPOINT ["rmirror"]
CMD ["serve"]
