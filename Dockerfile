# AccountPulse: one image, three roles (serve = HTTP + workers + scheduler, worker, sandbox).
# Build stage compiles TypeScript; the runtime stage holds production dependencies and dist/ only.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
# A larger young generation: a sync page or a score batch allocates tens of MB of short-lived
# objects; with V8's default 16 MB semi-space they are copied into the old generation and collected
# there. Measured on a 10,000-account cycle: 35% less time in GC (bench/README.md).
ENV NODE_ENV=production PORT=8080 NODE_OPTIONS=--max-semi-space-size=64
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node config ./config
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "bin/accountpulse.js"]
CMD ["serve"]
