# CPU image: rebuilds every report (default command). Build: docker build -t rl-miniatures .
# GPU variant: install @tensorflow/tfjs-node-gpu on a CUDA base image and set RLMINI_BACKEND=tensorflow-gpu.
FROM node:20-bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends git python3 jupyter-notebook python3-nbclient python3-nbconvert python3-ipykernel chromium \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /kit
COPY package.json package-lock.json ./
COPY shims ./shims
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && node dist/cli/main.js kernel
CMD ["node", "dist/cli/main.js", "reports"]
