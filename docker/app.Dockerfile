# The API and the worker, from one build. Pick one with --target api|worker.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./

# The API has no Docker socket and needs no privileges.
FROM runtime AS api
USER node
EXPOSE 3000
CMD ["node", "dist/apps/api/src/main.js"]

# The worker talks to the host's Docker engine through the mounted socket.
FROM runtime AS worker
CMD ["node", "dist/apps/worker/src/main.js"]
