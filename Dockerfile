FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV GW_DATA_DIR=/data
EXPOSE 1883 8080
CMD ["npx", "tsx", "gateway/server.ts"]
