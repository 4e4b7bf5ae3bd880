# The same steps as `make setup` / `make run`: CPU torch first, then the project with the
# bundled model; seeds/ is indexed into the index volume at start (incremental, so a
# restart does no work for unchanged articles).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    QA_INDEX_DIR=/data/index \
    QA_HOST=0.0.0.0 \
    QA_PORT=8000 \
    QA_CACHE_DIR=/opt/qa-cache

# A Docker build runs off this machine, where PyPI's torch==2.13.0 is a CUDA build: take the
# same release from the CPU wheel index instead.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
WORKDIR /app
RUN pip install torch==2.13.0 --index-url "$TORCH_INDEX_URL"
COPY pyproject.toml README.md ./
COPY qa ./qa
COPY index ./index
COPY api ./api
RUN pip install .
# Export the bundled model to ONNX, float and int8, at build time, so the service never needs
# torch to start, whichever QA_BACKEND an index was built with.
RUN python -c "from index.embed import SentenceTransformerEmbedder as E; assert E().backend == 'onnx'; assert E.for_new_index().backend == 'onnx-int8'" \
    && chmod -R a+rX /opt/qa-cache
COPY seeds ./seeds

RUN useradd --create-home --uid 10001 qa && mkdir -p /data && chown qa /data
USER qa
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"

CMD ["sh", "-c", "qa index seeds && exec qa serve"]
