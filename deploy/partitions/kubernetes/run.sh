#!/usr/bin/env bash
# A partitioned audit on Kubernetes: start the run, collect its partitions with an Indexed Job,
# evaluate. Needs kubectl (context and namespace set), envsubst, the ConfigMap shoko-config
# (shoko.yaml with store.location s3://…) and the Secret shoko-signing-key (shoko.key).
# See docs/partitions.md.
set -euo pipefail
cd "$(dirname "$0")"
export RUN_ID="${RUN_ID:-$(date -u +%Y%m%dT%H%M%SZ)-k8s}"
RUN_ID="$(echo "$RUN_ID" | tr '[:upper:]' '[:lower:]')" # Job names are lower case
export RUN_ID
for step in runs-start collect evaluate; do
  case $step in
    runs-start) file=runs-start-job.yaml ;;
    collect) file=indexed-job.yaml ;;
    evaluate) file=evaluate-job.yaml ;;
  esac
  envsubst '${RUN_ID}' < "$file" | kubectl apply -f -
  # Fail fast when a step fails; evaluate's exit 1/2 (controls fail/error) is a result, not a failure
  # of the pipeline, so its Job is only waited for.
  kubectl wait --for=condition=complete --timeout=6h "job/shoko-$step-$RUN_ID" || {
    [ "$step" = evaluate ] && break
    echo "step $step of run $RUN_ID did not complete; see kubectl logs job/shoko-$step-$RUN_ID" >&2
    exit 1
  }
done
kubectl logs "job/shoko-evaluate-$RUN_ID"
