# syntax=docker/dockerfile:1
# One image for every service; the command picks one: `node dist/apps/<app>/src/main.js`.
# Node 20.19 or newer (package.json engines): require() of the ESM-only NestJS 12 needs it.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app ./
USER node
# The gateway by default; docker-compose.yml sets the command of each service.
EXPOSE 3000
CMD ["node", "dist/apps/gateway/src/main.js"]
